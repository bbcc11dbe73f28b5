import type { FileHandle } from 'node:fs/promises';

/**
 * Legacy Office files (.doc, .xls, .ppt) are Microsoft Compound File Binary containers, and
 * so are Windows installers (.msi), Outlook messages and many other things: file-type only
 * says `cfb`. We read the container's directory (bounded: no more than a few thousand
 * sectors) and accept it only when it holds the main stream of Word, Excel or PowerPoint.
 * Anything else in a CFB (an MSI renamed .doc) is refused.
 */
const STREAMS = new Map([
  ['WordDocument', 'application/msword'],
  ['Workbook', 'application/vnd.ms-excel'],
  ['Book', 'application/vnd.ms-excel'], // Excel 5/95
  ['PowerPoint Document', 'application/vnd.ms-powerpoint'],
]);

const END_OF_CHAIN = 0xfffffffe;
const MAX_SECTORS = 4096;

export async function legacyOfficeType(file: FileHandle): Promise<string | null> {
  const header = Buffer.alloc(512);
  if ((await file.read(header, 0, 512, 0)).bytesRead < 512) return null;
  const shift = header.readUInt16LE(0x1e);
  if (shift !== 9 && shift !== 12) return null;
  const sectorSize = 1 << shift;
  const perSector = sectorSize / 4;

  const readSector = async (sector: number): Promise<Buffer | null> => {
    const buffer = Buffer.alloc(sectorSize);
    const { bytesRead } = await file.read(buffer, 0, sectorSize, (sector + 1) * sectorSize);
    return bytesRead === sectorSize ? buffer : null;
  };

  // Where each FAT sector lives: 109 entries in the header, then a chain of DIFAT sectors.
  const fatSectors: number[] = [];
  for (let i = 0; i < 109; i++) fatSectors.push(header.readUInt32LE(0x4c + i * 4));
  let difat = header.readUInt32LE(0x44);
  for (let hops = 0; difat < END_OF_CHAIN && hops < MAX_SECTORS; hops++) {
    const sector = await readSector(difat);
    if (!sector) return null;
    for (let i = 0; i < perSector - 1; i++) fatSectors.push(sector.readUInt32LE(i * 4));
    difat = sector.readUInt32LE(sectorSize - 4);
  }
  const next = async (sector: number): Promise<number> => {
    const fatSector = fatSectors[Math.floor(sector / perSector)];
    if (fatSector === undefined || fatSector >= END_OF_CHAIN) return END_OF_CHAIN;
    const fat = await readSector(fatSector);
    return fat ? fat.readUInt32LE((sector % perSector) * 4) : END_OF_CHAIN;
  };

  let sector = header.readUInt32LE(0x30);
  for (let hops = 0; sector < END_OF_CHAIN && hops < MAX_SECTORS; hops++) {
    const entries = await readSector(sector);
    if (!entries) return null;
    for (let at = 0; at < sectorSize; at += 128) {
      const type = entries[at + 0x42];
      const nameBytes = entries.readUInt16LE(at + 0x40);
      if (type !== 2 || nameBytes < 2 || nameBytes > 64) continue;
      const name = entries.toString('utf16le', at, at + nameBytes - 2);
      const found = STREAMS.get(name);
      if (found) return found;
    }
    sector = await next(sector);
  }
  return null;
}
