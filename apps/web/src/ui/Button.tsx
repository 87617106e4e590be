// Buttons: type="button" unless said otherwise (a stray submit is a classic bug),
// a look (primary, danger, small), and `srLabel`: words only screen readers hear,
// so that "Remove" in a list of endpoints says which one.
import type { ButtonHTMLAttributes } from 'react';
import { cx } from './classes.ts';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: 'primary' | 'danger';
  small?: boolean;
  /** Appended to the accessible name, visually hidden (start it with a space). */
  srLabel?: string;
}

export function Button({ variant, small, srLabel, className, type = 'button', children, ...rest }: ButtonProps) {
  return (
    <button type={type} className={cx(variant, small && 'small-button', className)} {...rest}>
      {children}
      {srLabel && <span className="visually-hidden">{srLabel}</span>}
    </button>
  );
}
