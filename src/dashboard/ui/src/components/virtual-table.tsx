// A table that renders only the rows in view (plus a few either side), so a list of 5,000 pods costs what 40 do.
// Rows have one fixed height; the body scrolls inside its own box, a spacer keeps the scrollbar true to the full list.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export const ROW_HEIGHT = 32;
const OVERSCAN = 8;

export interface VirtualColumn<T> {
  title: string;
  width?: string;
  cell(row: T): ComponentChildren;
}

export function VirtualTable<T>(props: { rows: T[]; columns: VirtualColumn<T>[]; rowKey(row: T): string; height?: string; empty?: ComponentChildren; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    setViewport(el.clientHeight);
    return () => ro.disconnect();
  }, []);
  const frame = useRef(0);
  const onScroll = () => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => { frame.current = 0; setScrollTop(box.current?.scrollTop ?? 0); });
  };
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(props.rows.length, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);
  const template = props.columns.map((c) => c.width ?? 'minmax(6rem, 1fr)').join(' ');
  return (
    <div class="vtable" data-testid={props.testId} data-rows={props.rows.length}>
      <div class="vrow vhead" style={{ gridTemplateColumns: template }}>
        {props.columns.map((c) => <div class="vcell" key={c.title}>{c.title}</div>)}
      </div>
      <div class="vbody" ref={box} onScroll={onScroll} style={{ height: props.height ?? 'calc(100vh - 12rem)' }}>
        {props.rows.length === 0 ? <div class="empty">{props.empty ?? 'Nothing here.'}</div> : (
          <div style={{ height: `${props.rows.length * ROW_HEIGHT}px`, position: 'relative' }}>
            {props.rows.slice(first, last).map((row, i) => (
              <div class="vrow" role="row" key={props.rowKey(row)} data-key={props.rowKey(row)}
                style={{ gridTemplateColumns: template, top: `${(first + i) * ROW_HEIGHT}px` }}>
                {props.columns.map((c) => <div class="vcell" key={c.title}>{c.cell(row)}</div>)}
              </div>
            ))}
          </div>
        )}
      </div>
    </div>
  );
}
