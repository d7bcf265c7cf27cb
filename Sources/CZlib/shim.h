#include <stddef.h>
#include <string.h>
#include <zlib.h>

// zlib's init functions are macros (they pass the header's version and the
// stream size), which Swift cannot call: MetaData goes through this one-shot
// wrapper instead of driving z_stream itself.

/// Inflates all of `src` into exactly `dst_len` bytes of `dst`.
/// `window_bits` is -15 for raw deflate (zip entries) or 15 for a zlib stream
/// (PNG). Returns 0 on success, 1 when the stream ends short of `dst_len`,
/// 2 when it holds more than `dst_len` bytes, 3 when the input ends before the
/// stream does, and 4 for corrupt data or an out-of-memory zlib (message in
/// `msg`, `msg_len` bytes at most, NUL-terminated).
static inline int meta_inflate(const unsigned char *src, size_t src_len, unsigned char *dst, size_t dst_len,
                               int window_bits, char *msg, size_t msg_len) {
  z_stream s;
  memset(&s, 0, sizeof s);
  if (msg_len > 0) msg[0] = 0;
  if (src_len > 0xFFFFFFFFu || dst_len > 0xFFFFFFFFu) return 4;
  if (inflateInit2(&s, window_bits) != Z_OK) return 4;
  s.next_in = (Bytef *)src;
  s.avail_in = (uInt)src_len;
  s.next_out = dst;
  s.avail_out = (uInt)dst_len;
  int rc = inflate(&s, Z_FINISH);
  int result;
  if (rc == Z_STREAM_END) {
    result = s.total_out == dst_len ? 0 : 1;
  } else if (rc == Z_BUF_ERROR || rc == Z_OK) {
    // No progress possible: either the output is full (more data than
    // expected) or the input ran out mid-stream.
    result = s.avail_out == 0 ? 2 : 3;
  } else {
    result = 4;
    if (msg_len > 0 && s.msg != NULL) {
      strncpy(msg, s.msg, msg_len - 1);
      msg[msg_len - 1] = 0;
    }
  }
  inflateEnd(&s);
  return result;
}

/// CRC-32 (the zip and PNG checksum) of `len` bytes at `p`.
static inline unsigned long meta_crc32(const unsigned char *p, size_t len) {
  unsigned long crc = crc32(0L, Z_NULL, 0);
  while (len > 0) {
    uInt chunk = len > 0x40000000u ? 0x40000000u : (uInt)len;
    crc = crc32(crc, p, chunk);
    p += chunk;
    len -= chunk;
  }
  return crc;
}
