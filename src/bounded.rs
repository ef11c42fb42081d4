//! Reading a file or a stream only up to a limit: a device or a huge file given by mistake
//! (`/dev/zero`, a 3 GiB dump) is refused once the limit is passed, never read until memory
//! runs out. Each reader words the refusal for its own input.

use std::io::Read;

/// Why a bounded read gave nothing.
#[derive(Debug)]
pub(crate) enum Unread {
    Io(std::io::Error),
    /// There was more than the limit; nothing past it was read.
    TooLarge,
}

/// At most `limit` bytes of `reader`, or `TooLarge` when there are more.
pub(crate) fn bytes(reader: impl Read, limit: u64) -> Result<Vec<u8>, Unread> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Unread::Io)?;
    if bytes.len() as u64 > limit {
        return Err(Unread::TooLarge);
    }
    Ok(bytes)
}

/// The file at `path` as text, at most `limit` bytes of it.
pub(crate) fn text(path: &std::path::Path, limit: u64) -> Result<String, Unread> {
    let file = std::fs::File::open(path).map_err(Unread::Io)?;
    String::from_utf8(bytes(file, limit)?).map_err(|_| {
        Unread::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_longer_than_the_limit_is_refused_after_reading_one_byte_more() {
        let mut source = std::io::repeat(b'x');
        let refused = bytes(&mut source, 1024);
        assert!(matches!(refused, Err(Unread::TooLarge)));
        assert_eq!(bytes(&b"abc"[..], 3).unwrap(), b"abc");
        assert!(matches!(bytes(&b"abcd"[..], 3), Err(Unread::TooLarge)));
    }

    #[test]
    fn text_that_is_not_utf8_is_an_error_not_a_lossy_string() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        let Err(Unread::Io(e)) = text(&path, 10) else {
            panic!("read as text")
        };
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
    }
}
