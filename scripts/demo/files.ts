import sharp from 'sharp';

/**
 * The demo's attachments, generated at seed time (no binary files in git): a one-page PDF
 * agenda and a photo of a whiteboard. Organisational content only, never clinical data.
 * Both are deterministic: the same bytes on every seed of the same machine.
 */

export interface DemoFile {
  name: string;
  /** What a browser would declare. */
  type: string;
  bytes: Buffer;
}

/** Characters of French text outside Latin-1 that Helvetica's WinAnsiEncoding has. */
const WIN_ANSI: Record<string, number> = {
  '€': 0x80,
  '‚': 0x82,
  '„': 0x84,
  '…': 0x85,
  '‘': 0x91,
  '’': 0x92,
  '“': 0x93,
  '”': 0x94,
  '•': 0x95,
  '–': 0x96,
  '—': 0x97,
  œ: 0x9c,
  Œ: 0x8c,
  Ÿ: 0x9f,
};

/**
 * A PDF literal string in WinAnsiEncoding, ASCII only: parentheses and backslashes escaped,
 * everything past ASCII as an octal escape (so the content stream's length is its bytes).
 */
export function pdfString(text: string): string {
  let out = '(';
  for (const char of text.normalize('NFC')) {
    const code = WIN_ANSI[char] ?? char.codePointAt(0) ?? 0x3f;
    if (char === '(' || char === ')' || char === '\\') out += `\\${char}`;
    else if (code >= 0x20 && code < 0x7f) out += char;
    else if (code < 0x100) out += `\\${code.toString(8).padStart(3, '0')}`;
    else out += '?';
  }
  return `${out})`;
}

export interface PdfLine {
  text: string;
  /** Points (default 12). */
  size?: number;
  bold?: boolean;
  /** Extra space above the line, in points. */
  gap?: number;
  /** Left indent, in points. */
  indent?: number;
}

/**
 * A valid one-page A4 PDF of text lines (Helvetica and Helvetica-Bold, the standard fonts
 * every reader has), written by hand with a correct cross-reference table so that strict
 * readers (pdftoppm, browsers) accept it without repairing it.
 */
export function makeTextPdf(lines: PdfLine[], title: string): Buffer {
  const left = 64;
  let y = 842 - 72;
  const operations: string[] = ['BT'];
  for (const line of lines) {
    const size = line.size ?? 12;
    y -= (line.gap ?? 0) + size * 1.45;
    const font = line.bold ? 'F2' : 'F1';
    operations.push(
      `/${font} ${size} Tf 1 0 0 1 ${left + (line.indent ?? 0)} ${Math.round(y)} Tm ${pdfString(line.text)} Tj`,
    );
  }
  operations.push('ET');
  const content = operations.join('\n');
  const font = (name: string) =>
    `<< /Type /Font /Subtype /Type1 /BaseFont /${name} /Encoding /WinAnsiEncoding >>`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>',
    font('Helvetica'),
    font('Helvetica-Bold'),
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    `<< /Title ${pdfString(title)} /Producer (Relais demo) >>`,
  ];
  // The binary comment line tells transfer tools the file is binary (PDF 1.7, 7.5.2).
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  // Each xref entry is exactly 20 bytes: 10 digits, space, 5 digits, space, type, space, LF.
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${objects.length} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** The agenda Claire sends to DAC SESAN: a meeting's running order, no patient in it. */
export function agendaPdf(): DemoFile {
  const title = 'Réunion de concertation pluriprofessionnelle — ordre du jour';
  const bytes = makeTextPdf(
    [
      { text: 'DAC SESAN — Saint-Denis', size: 11 },
      { text: 'Réunion de concertation pluriprofessionnelle', size: 18, bold: true, gap: 18 },
      { text: 'Jeudi, 14 h 00 – 15 h 30 · salle B (rez-de-chaussée)', gap: 4 },
      { text: 'Ordre du jour', size: 14, bold: true, gap: 22 },
      { text: '1.  Accueil et tour de table (10 min)', gap: 6 },
      { text: '2.  Sorties d’hospitalisation : organisation des passages infirmiers (25 min)' },
      { text: '3.  Astreintes du week-end et relais avec les structures partenaires (20 min)' },
      { text: '4.  Messagerie Relais : pièces jointes, bonnes pratiques (15 min)' },
      { text: '5.  Questions diverses (10 min)' },
      { text: 'À préparer', size: 14, bold: true, gap: 22 },
      { text: '•  les disponibilités de chacun pour le mois prochain', gap: 6 },
      { text: '•  les points d’organisation à remonter à la coordination' },
      {
        text: 'Rappel : aucune donnée nominative de patient dans les supports de réunion.',
        size: 10,
        gap: 30,
      },
      { text: 'Document de démonstration Relais.', size: 10 },
    ],
    title,
  );
  return { name: 'ordre-du-jour-RCP-jeudi.pdf', type: 'application/pdf', bytes };
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A photo of a whiteboard with the way to room B drawn on it, as Karim would take with his
 * phone: an SVG rendered by sharp (librsvg), a little grain, then JPEG.
 */
export async function accessPlanPhoto(): Promise<DemoFile> {
  const W = 1280;
  const H = 960;
  const marker = (color: string, width = 7) =>
    `fill="none" stroke="${color}" stroke-width="${width}" stroke-linecap="round" stroke-linejoin="round"`;
  const label = (x: number, y: number, text: string, size = 34, color = '#1f3b8a') =>
    `<text x="${x}" y="${y}" font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="${size}" fill="${color}">${escapeXml(text)}</text>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
  <defs>
    <linearGradient id="wall" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#b9b2a6"/><stop offset="1" stop-color="#8f877a"/>
    </linearGradient>
    <linearGradient id="board" x1="0" y1="0" x2="1" y2="0.6">
      <stop offset="0" stop-color="#fbfbf8"/><stop offset="0.55" stop-color="#f1f2ee"/><stop offset="1" stop-color="#e0e2dc"/>
    </linearGradient>
  </defs>
  <rect width="${W}" height="${H}" fill="url(#wall)"/>
  <g transform="rotate(-2 640 480)">
    <rect x="70" y="70" width="1140" height="800" rx="10" fill="#c9ccd0"/>
    <rect x="86" y="86" width="1108" height="768" rx="4" fill="url(#board)"/>
    <rect x="86" y="854" width="1108" height="24" fill="#a9adb2"/>
    ${label(130, 160, 'Plan d’accès — salle B', 54, '#1f3b8a')}
    <path d="M130 182 L640 178" ${marker('#1f3b8a', 5)}/>
    <path d="M160 300 L1120 300 L1120 800 L160 800 Z" ${marker('#222', 8)}/>
    <path d="M520 300 L520 520 M520 600 L520 800" ${marker('#222', 6)}/>
    <path d="M820 520 L1120 520" ${marker('#222', 6)}/>
    <path d="M820 520 L820 640 M820 720 L820 800" ${marker('#222', 6)}/>
    <rect x="860" y="560" width="220" height="200" fill="#f6d9d2" opacity="0.55"/>
    ${label(900, 670, 'SALLE B', 42, '#b3261e')}
    ${label(200, 380, 'Accueil', 34)}
    <path d="M200 400 L330 400 L330 470 L200 470 Z" ${marker('#1f3b8a', 5)}/>
    ${label(590, 380, 'Ascenseurs', 30)}
    <path d="M600 400 L680 400 L680 470 L600 470 Z M700 400 L780 400 L780 470 L700 470 Z" ${marker('#444', 5)}/>
    ${label(880, 380, 'Escalier', 30)}
    <path d="M880 400 L1060 400 M880 425 L1060 425 M880 450 L1060 450 M880 475 L1060 475" ${marker('#444', 4)}/>
    <path d="M330 860 L330 800" ${marker('#222', 8)}/>
    ${label(345, 845, 'Entrée', 30)}
    <path d="M340 770 C 360 650, 420 580, 560 560 S 760 600, 800 680 L 850 680" ${marker('#1e7d32', 9)}/>
    <path d="M822 656 L856 680 L822 704" ${marker('#1e7d32', 9)}/>
    ${label(535, 640, 'suivre le couloir', 26, '#1e7d32')}
    ${label(180, 740, 'Badge à l’accueil', 26, '#444')}
  </g>
</svg>`;
  const rendered = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({
    resolveWithObject: true,
  });
  // A little deterministic sensor grain, so that it looks like a photo, not a drawing.
  const pixels = rendered.data;
  let state = 2026;
  for (let i = 0; i < pixels.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const grain = ((state >>> 16) % 9) - 4;
    pixels[i] = Math.max(0, Math.min(255, (pixels[i] ?? 0) + grain));
  }
  const bytes = await sharp(pixels, {
    raw: { width: rendered.info.width, height: rendered.info.height, channels: 3 },
  })
    .jpeg({ quality: 86 })
    .toBuffer();
  return { name: 'plan-acces-salle-B.jpg', type: 'image/jpeg', bytes };
}
