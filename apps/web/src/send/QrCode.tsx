// The link as a QR code: an inline SVG drawn from qrcode-generator's module matrix
// (no canvas, no data: URL needed). Always dark on white, with the quiet zone the
// spec asks for, so phone cameras read it in dark mode too.
import qrcode from 'qrcode-generator';
import { useMemo } from 'react';

export function QrCode({ text, label, size = 208 }: { text: string; label: string; size?: number }) {
  const { path, count } = useMemo(() => {
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
  }, [text]);
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
