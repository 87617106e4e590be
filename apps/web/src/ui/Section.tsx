// A page section: a region named by its h2, with an optional muted intro.
import type { ReactNode } from 'react';
import { cx } from './classes.ts';

export function Section(props: { headingId: string; title: ReactNode; intro?: ReactNode; className?: string; children?: ReactNode }) {
  return (
    <section aria-labelledby={props.headingId} className={cx('stack', props.className)}>
      <h2 id={props.headingId}>{props.title}</h2>
      {props.intro && <p className="muted">{props.intro}</p>}
      {props.children}
    </section>
  );
}
