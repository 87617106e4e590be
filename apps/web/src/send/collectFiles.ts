// Turns what the user gave us (a drop, a file picker, a folder picker) into a flat
// list of files with their relative, "/"-separated names. Folders are walked with
// the File and Directory Entries API (webkitGetAsEntry), which every current
// browser supports for drops.

export interface PickedFile {
  /** Relative path ("photos/2024/a.jpg") or plain name. */
  name: string;
  file: File;
}

/** Files from an <input type=file> (with or without webkitdirectory). */
export function fromFileList(list: FileList | File[]): PickedFile[] {
  return Array.from(list, (file) => ({ name: file.webkitRelativePath || file.name, file }));
}

/**
 * Files from a drop. Must be called synchronously inside the drop handler (the
 * DataTransfer empties afterwards); the folder walk it starts may finish later.
 */
export function fromDataTransfer(dt: DataTransfer): Promise<PickedFile[]> {
  const jobs: Promise<PickedFile[]>[] = [];
  const items = dt.items ? Array.from(dt.items).filter((i) => i.kind === 'file') : [];
  if (items.length === 0) return Promise.resolve(fromFileList(dt.files));
  for (const item of items) {
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    const file = item.getAsFile();
    if (entry?.isDirectory) jobs.push(walkDirectory(entry as FileSystemDirectoryEntry));
    else if (file) jobs.push(Promise.resolve([{ name: file.name, file }]));
  }
  return Promise.all(jobs).then((lists) => lists.flat());
}

async function walkDirectory(dir: FileSystemDirectoryEntry): Promise<PickedFile[]> {
  const out: PickedFile[] = [];
  const stack: FileSystemDirectoryEntry[] = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    for (const entry of await readAllEntries(d)) {
      if (entry.isDirectory) stack.push(entry as FileSystemDirectoryEntry);
      else if (entry.isFile) {
        const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
        out.push({ name: entry.fullPath.replace(/^\/+/, ''), file });
      }
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** readEntries returns at most ~100 entries per call: call it until it returns none. */
async function readAllEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/** True when a drag carries files (not text or a link from the page). */
export function dragHasFiles(e: DragEvent): boolean {
  return !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');
}
