/**
 * The environment variables Milepost reads, as `milepost --help` lists them next to the exit
 * codes (a test holds this list to every variable the source reads).
 */
export const ENVIRONMENT = [
  {
    name: 'MILEPOST_SPREADSHEET_ID',
    meaning: 'Google backend: the Sheet id when --spreadsheet is not given',
  },
  {
    name: 'GOOGLE_APPLICATION_CREDENTIALS',
    meaning: 'Google backend: a service account key file (instead of `milepost login`)',
  },
  {
    name: 'MILEPOST_GOOGLE_SUBJECT',
    meaning: 'with a service account: the person it acts for (domain-wide delegation)',
  },
  {
    name: 'MILEPOST_CONFIG_DIR',
    meaning: 'where `milepost login` keeps its token (default: ~/.config/milepost)',
  },
  { name: 'MILEPOST_GOOGLE_API_ROOT', meaning: 'Google backend: another API root, e.g. `npm run emulator`' },
  { name: 'MILEPOST_GOOGLE_ACCESS_TOKEN', meaning: 'with MILEPOST_GOOGLE_API_ROOT: the access token sent' },
  { name: 'MILEPOST_GMAIL_SPACING_MS', meaning: 'milliseconds between two Gmail sends (default 500)' },
  { name: 'MILEPOST_SMTP_HOST', meaning: 'local backend: send the emails through this mail server' },
  { name: 'MILEPOST_SMTP_PORT', meaning: 'its port (default 587; 465 with tls; 25 with none)' },
  { name: 'MILEPOST_SMTP_SECURE', meaning: 'tls, starttls (the default) or none' },
  { name: 'MILEPOST_SMTP_USER', meaning: 'the mail server login (with MILEPOST_SMTP_PASSWORD)' },
  { name: 'MILEPOST_SMTP_PASSWORD', meaning: 'its password' },
  { name: 'MILEPOST_SMTP_FROM', meaning: 'the From address of every message sent' },
] as const;

/** The "Environment variables:" block of `milepost --help`. */
export function environmentHelp(): string {
  const width = Math.max(...ENVIRONMENT.map((e) => e.name.length));
  return `Environment variables:\n${ENVIRONMENT.map((e) => `  ${e.name.padEnd(width)}  ${e.meaning}`).join('\n')}`;
}
