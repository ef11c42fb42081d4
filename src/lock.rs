//! Exclusive locks on a folder the tool writes (a repository, an output directory), taken with
//! a bounded wait that names the process holding them.

use std::fs;
use std::path::Path;
use std::time::Duration;

use crate::error::{Error, Refusal, Result};

/// A held lock; released when dropped.
pub(crate) struct Held(#[allow(dead_code)] fs::File);

/// Takes the lock on the folder or lock file at `path`, waiting at most `timeout`; `who` names the other holder kind
/// ("publisher", "conversion") in the message when the wait is in vain.
pub(crate) fn take(path: &Path, timeout: Duration, who: &str) -> Result<Held> {
    let write_err = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    // A folder is locked itself (nothing is left behind in it); a file records its holder.
    let is_dir = path.is_dir();
    let lock = if is_dir {
        fs::File::open(path)
    } else {
        fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
    }
    .map_err(write_err)?;
    let started = std::time::Instant::now();
    loop {
        match lock.try_lock() {
            Ok(()) => break,
            Err(fs::TryLockError::WouldBlock) if started.elapsed() < timeout => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(fs::TryLockError::WouldBlock) => {
                let holder = if is_dir {
                    String::new()
                } else {
                    fs::read_to_string(path).unwrap_or_default()
                };
                let holder = holder.trim();
                return Err(Error::Refused {
                    path: path.to_path_buf(),
                    refusal: Refusal::Locked {
                        who: who.to_string(),
                        holder: (!holder.is_empty()).then(|| holder.to_string()),
                        seconds: timeout.as_secs(),
                    },
                });
            }
            Err(fs::TryLockError::Error(e)) => return Err(write_err(e)),
        }
    }
    if is_dir {
        return Ok(Held(lock));
    }
    // Who holds it, so a process that waits in vain can say which one to look at.
    let mut f = &lock;
    let _ = f.set_len(0);
    let _ = std::io::Write::write_all(&mut f, std::process::id().to_string().as_bytes());
    Ok(Held(lock))
}
