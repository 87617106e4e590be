// The web app's UI kit: the small accessible pieces its pages repeat. They render
// the class names of styles/base.css and admin/admin.css, so a page moved onto
// them looks the same.
export { Button, type ButtonProps } from './Button.tsx';
export { FormCard, ShownOnce } from './Card.tsx';
export { cx } from './classes.ts';
export { copyText, saveTextFile } from './clipboard.ts';
export { CopyField } from './CopyField.tsx';
export { Checkbox, Field, type ControlProps } from './Field.tsx';
export { Alert, EmptyState, FormMessages, Status } from './Messages.tsx';
export { Section } from './Section.tsx';
export { DataTable, Table, TableRegion, type Column } from './Table.tsx';
