// The little XML S3 speaks: escaped text elements, and S3's date formats.

/** `<name>text</name>` with the text escaped. */
export function xmlElement(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => XML_ENTITIES[c] as string);
}

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // A bare CR would be normalised away by the client's parser.
  '\r': '&#13;',
};

/** ISO-8601 with milliseconds, as in ListObjectsV2's LastModified. */
export function xmlTimestamp(date: Date): string {
  return date.toISOString();
}

/** RFC 7231 date, as in the Last-Modified header: `Wed, 12 Oct 2009 17:50:00 GMT`. */
export function httpDate(date: Date): string {
  return date.toUTCString();
}
