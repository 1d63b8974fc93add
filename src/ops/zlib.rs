//! Compression for `node:zlib` (deflate, raw deflate, gzip, brotli and their inverses),
//! computed in Rust with flate2 and brotli.

use std::io::{Read, Write};

use deno_core::op2;
use deno_core::JsBuffer;
use deno_error::JsErrorBox;
use flate2::read::{DeflateDecoder, GzDecoder, MultiGzDecoder, ZlibDecoder};
use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};
use flate2::Compression;

fn data_error(e: impl std::fmt::Display) -> JsErrorBox {
    // the JS side turns "CODE: message" into an error with Node's code
    JsErrorBox::generic(format!("Z_DATA_ERROR: {e}"))
}

fn level(level: i32) -> Compression {
    if (0..=9).contains(&level) {
        Compression::new(level as u32)
    } else {
        Compression::default()
    }
}

fn read_all(mut reader: impl Read) -> Result<Vec<u8>, JsErrorBox> {
    let mut out = Vec::new();
    reader.read_to_end(&mut out).map_err(data_error)?;
    Ok(out)
}

fn finish<W: Write>(
    mut writer: W,
    data: &[u8],
    done: impl FnOnce(W) -> std::io::Result<Vec<u8>>,
) -> Result<Vec<u8>, JsErrorBox> {
    writer.write_all(data).map_err(data_error)?;
    done(writer).map_err(data_error)
}

/// Compresses or decompresses `data` in one go. `kind` is one of `deflate`, `inflate`,
/// `deflateRaw`, `inflateRaw`, `gzip`, `gunzip`, `unzip`, `brotliCompress`,
/// `brotliDecompress`; `level` is the zlib level (-1 = default) or brotli quality.
pub fn process(kind: &str, data: &[u8], level_or_quality: i32) -> Result<Vec<u8>, JsErrorBox> {
    match kind {
        "deflate" => finish(
            ZlibEncoder::new(Vec::new(), level(level_or_quality)),
            data,
            |w| w.finish(),
        ),
        "deflateRaw" => finish(
            DeflateEncoder::new(Vec::new(), level(level_or_quality)),
            data,
            |w| w.finish(),
        ),
        "gzip" => finish(
            GzEncoder::new(Vec::new(), level(level_or_quality)),
            data,
            |w| w.finish(),
        ),
        "inflate" => read_all(ZlibDecoder::new(data)),
        "inflateRaw" => read_all(DeflateDecoder::new(data)),
        "gunzip" => read_all(MultiGzDecoder::new(data)),
        "unzip" => {
            if data.starts_with(&[0x1f, 0x8b]) {
                read_all(GzDecoder::new(data))
            } else {
                read_all(ZlibDecoder::new(data))
            }
        }
        "brotliCompress" => {
            let quality = if (0..=11).contains(&level_or_quality) {
                level_or_quality as u32
            } else {
                11
            };
            let mut out = Vec::new();
            {
                let mut writer = brotli::CompressorWriter::new(&mut out, 4096, quality, 22);
                writer.write_all(data).map_err(data_error)?;
            }
            Ok(out)
        }
        "brotliDecompress" => read_all(brotli::Decompressor::new(data, 4096)),
        other => Err(JsErrorBox::type_error(format!(
            "unknown zlib operation {other}"
        ))),
    }
}

/// Runs one zlib/brotli operation over a whole buffer.
#[op2]
#[buffer]
pub fn op_zlib_process(
    #[string] kind: &str,
    #[buffer] data: JsBuffer,
    level: i32,
) -> Result<Vec<u8>, JsErrorBox> {
    process(kind, &data, level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_round_trips() {
        let text = b"fnhost fnhost fnhost fnhost compress me".repeat(20);
        for (enc, dec) in [
            ("deflate", "inflate"),
            ("deflateRaw", "inflateRaw"),
            ("gzip", "gunzip"),
            ("gzip", "unzip"),
            ("deflate", "unzip"),
            ("brotliCompress", "brotliDecompress"),
        ] {
            let packed = process(enc, &text, -1).unwrap();
            assert!(packed.len() < text.len(), "{enc} compresses");
            assert_eq!(process(dec, &packed, -1).unwrap(), text, "{enc} -> {dec}");
        }
        assert!(process("inflate", b"not zlib", -1).is_err());
    }
}
