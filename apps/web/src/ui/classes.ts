/** Joins the class names that are set (false, null and '' are left out). */
export const cx = (...names: (string | false | null | undefined)[]): string | undefined => names.filter(Boolean).join(' ') || undefined;
