import type { ComponentChildren } from 'preact';
import { ApiError } from '../api';

export function ErrorNote(props: { error: Error | undefined }) {
  if (!props.error) return null;
  const forbidden = props.error instanceof ApiError && props.error.code === 403;
  return <p class={forbidden ? 'warning' : 'error'} role="alert">{forbidden ? 'Not allowed: ' : ''}{props.error.message}</p>;
}

export function Card(props: { title: string; href?: string; children?: ComponentChildren; testId?: string }) {
  return <div class="card" data-testid={props.testId}><h3>{props.title}</h3>{props.children}</div>;
}

export function Badge(props: { tone: 'ok' | 'warn' | 'bad' | 'neutral'; children?: ComponentChildren }) {
  return <span class={`badge ${props.tone}`}>{props.children}</span>;
}

export function toneOf(status: string): 'ok' | 'warn' | 'bad' | 'neutral' {
  if (/^(Running|Ready|Succeeded|Completed|Active|Bound|True|Normal)$/.test(status)) return 'ok';
  if (/^(Pending|ContainerCreating|Terminating|PodInitializing|Unknown)$/.test(status)) return 'warn';
  if (/Err|Fail|BackOff|NotReady|Warning|Lost|Evicted|OOM/.test(status)) return 'bad';
  return 'neutral';
}
