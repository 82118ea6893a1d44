import { SETTING_DOCS } from './settings';

/** Wraps a description into `# `-comment lines of at most ~100 characters. */
function comment(text: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > 98) {
      lines.push(`# ${line}`);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(`# ${line}`);
  return lines.join('\n');
}

/**
 * The text of `.env.example`: every setting Weft reads, commented out, under its own description
 * from SETTING_DOCS, so the example never lists a variable that does not exist or misses one.
 */
export function envExample(): string {
  const header =
    '# Every environment variable Weft reads. Generated from src/config/settings.ts (SETTING_DOCS)\n# by `npm run env:example`; do not edit by hand. Unset variables take the defaults described.\n';
  const body = Object.entries(SETTING_DOCS).map(([name, doc]) => `${comment(doc)}\n# ${name}=`);
  return `${header}\n${body.join('\n\n')}\n`;
}
