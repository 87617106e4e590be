// The link as a QR code: an inline SVG drawn from qrcode-generator's module matrix
// (no canvas, no data: URL needed). Always dark on white, with the quiet zone the
// spec asks for, so phone cameras read it in dark mode too.
import qrcode from 'qrcode-generator';
import { useEffect, useState } from 'react';

/** The code's modules as one SVG path (qrcode-generator tries all 8 masks: tens of milliseconds on a slow machine). */
function qrPath(text: string): { path: string; count: number } {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  let d = '';
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!qr.isDark(r, c)) continue;
      let w = 1; // merge horizontal runs: a much shorter path
      while (c + w < n && qr.isDark(r, c + w)) w++;
      d += `M${c + 4} ${r + 4}h${w}v1h-${w}z`;
      c += w - 1;
    }
  }
  return { path: d, count: n };
}

export function QrCode({ text, label, size = 208 }: { text: string; label: string; size?: number }) {
  // Drawn after the first paint, so the link shows without waiting for the code.
  const [drawn, setDrawn] = useState<{ text: string; path: string; count: number } | null>(null);
  useEffect(() => {
    const t = setTimeout(() => setDrawn({ text, ...qrPath(text) }), 0);
    return () => clearTimeout(t);
  }, [text]);
  // Until then an empty square of the same size holds its place (and is no image yet).
  if (drawn?.text !== text) return <svg className="qr" aria-hidden="true" width={size} height={size} />;
  const { path, count } = drawn;
  const view = count + 8;
  return (
    <svg
      className="qr"
      role="img"
      aria-label={label}
      width={size}
      height={size}
      viewBox={`0 0 ${view} ${view}`}
      shapeRendering="crispEdges"
      data-modules={count}
    >
      <rect width={view} height={view} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
