/** `hvcc map --format`'s choices (here, apart from the map's code, which loads only when `hvcc map` runs). */
export const MAP_FORMATS = ['text', 'json', 'html', 'svg'] as const;
export type MapFormat = (typeof MAP_FORMATS)[number];
