// Shuffle sharding (upstream's k8s.io/apiserver/pkg/util/shufflesharding Dealer): a flow's hash value deals a hand
// of distinct queue indices from the deck of a priority level's queues, so two heavy flows rarely share a whole
// hand and a flood from one flow fills only its own hand of queues.

/** A 52-bit hash of a flow's identity (FlowSchema name and distinguisher), exact in a JS number. */
export function hashFlowID(flowSchema: string, distinguisher: string): number {
  // Two FNV-1a 32-bit hashes with different offsets, joined into 52 bits.
  let a = 0x811c9dc5, b = 0x050c5d1f;
  const mix = (s: string) => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193);
    }
  };
  mix(flowSchema);
  a = Math.imul(a ^ 0, 0x01000193); b = Math.imul(b ^ 0xff, 0x01000193);
  mix(distinguisher);
  return (a >>> 0) * 0x100000 + ((b >>> 0) >>> 12);
}

/** Deals `handSize` distinct indices in [0, deckSize) from hashValue (the Dealer's mixed-radix decomposition). */
export function dealHand(hashValue: number, deckSize: number, handSize: number): number[] {
  const remainders = new Array<number>(handSize);
  let h = hashValue;
  for (let i = 0; i < handSize; i++) {
    const radix = deckSize - i;
    const next = Math.floor(h / radix);
    remainders[i] = h - next * radix;
    h = next;
  }
  // Remainder i was drawn from a deck without the i cards before it: counting down past each earlier draw turns
  // it into a card of the whole deck that none of them is.
  const hand = new Array<number>(handSize);
  for (let i = 0; i < handSize; i++) {
    let card = remainders[i];
    for (let j = i; j > 0; j--) if (card >= remainders[j - 1]) card++;
    hand[i] = card;
  }
  return hand;
}
