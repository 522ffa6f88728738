/** A name as the local part of a demo email: `Wiśniewski` -> `wisniewski`, `de Vries` -> `devries`. */
export function asciiName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}
