/**
 * Tiny binary fixtures for the everything server, as base64 (what MCP content blocks carry).
 * Both are real, decodable files, generated for this repository.
 */

/** A 1x1 RGBA PNG (one blue pixel): 8-bit colour, non-interlaced, valid CRCs. */
export const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGOQm/D/PwAFKgKti6zvbAAAAABJRU5ErkJggg==';

/** A RIFF/WAVE file: PCM, mono, 8 kHz, 8-bit, eight samples of silence (1 ms). */
export const WAV_BASE64 = 'UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQgAAACAgICAgICAgA==';
