// Data tables: a scrollable region a keyboard can reach (tabIndex=0, named, with
// the visible focus ring of base.css), a caption for screen readers, and column
// headers with scope. A column can be named for screen readers only (actions).
import type { ReactNode } from 'react';

export type Column = string | { label: string; hidden: true };

export function TableRegion(props: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={props.label}>
      {props.children}
    </div>
  );
}

export function Table(props: { caption: ReactNode; columns: Column[]; className?: string; children: ReactNode }) {
  return (
    <table className={props.className}>
      <caption className="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          {props.columns.map((c) => (
            <th scope="col" key={typeof c === 'string' ? c : c.label}>
              {typeof c === 'string' ? c : <span className="visually-hidden">{c.label}</span>}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}

/** A table in its region; the caption defaults to the region's name. */
export function DataTable(props: { label: string; caption?: ReactNode; columns: Column[]; className?: string; children: ReactNode }) {
  return (
    <TableRegion label={props.label}>
      <Table caption={props.caption ?? props.label} columns={props.columns} className={props.className}>
        {props.children}
      </Table>
    </TableRegion>
  );
}
