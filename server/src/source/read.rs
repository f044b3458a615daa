//! Opening a file named by the user without ever blocking on it: a FIFO, a terminal
//! (`/dev/stdin`), a device or a socket is refused before any read, with its kind named.

use std::fmt;
use std::fs::{File, FileType, OpenOptions};
use std::io::Read;
use std::path::Path;

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// It exists but is not a regular file; the text names its kind.
    NotRegular(&'static str),
    Io(std::io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotRegular(kind) => write!(
                f,
                "is {kind}, not a regular file: asyncell reads only regular files \
                 (save the content to a file first)"
            ),
            ReadError::Io(error) if error.kind() == std::io::ErrorKind::NotFound => {
                write!(f, "no such file or directory")
            }
            ReadError::Io(error) => write!(f, "cannot read: {error}"),
        }
    }
}

/// What a non-regular file is, in words (`None` for a regular file).
pub fn special_kind(file_type: FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if file_type.is_char_device() {
            return Some("a character device");
        }
        if file_type.is_block_device() {
            return Some("a block device");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
    }
    if file_type.is_dir() {
        return Some("a directory");
    }
    (!file_type.is_file()).then_some("not a regular file")
}

/// The bytes of a regular file. The file is checked by `stat` before it is opened (a
/// socket cannot be opened at all), then opened non-blocking, so a FIFO swapped in
/// meanwhile cannot block `open`, and checked again through the open descriptor.
pub fn read_regular_file(path: &Path) -> Result<Vec<u8>, ReadError> {
    let metadata = std::fs::metadata(path).map_err(ReadError::Io)?;
    if let Some(kind) = special_kind(metadata.file_type()) {
        return Err(ReadError::NotRegular(kind));
    }
    let mut file = open_without_blocking(path).map_err(ReadError::Io)?;
    let metadata = file.metadata().map_err(ReadError::Io)?;
    if let Some(kind) = special_kind(metadata.file_type()) {
        return Err(ReadError::NotRegular(kind));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    file.read_to_end(&mut bytes).map_err(ReadError::Io)?;
    Ok(bytes)
}

fn open_without_blocking(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK has no effect on regular files; O_NOCTTY keeps a terminal from
        // becoming our controlling terminal.
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn fifos_and_devices_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.py");
        let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        let error = read_regular_file(&fifo).unwrap_err();
        assert!(
            matches!(error, ReadError::NotRegular("a FIFO (named pipe)")),
            "{error}"
        );
        let error = read_regular_file(Path::new("/dev/null")).unwrap_err();
        assert!(
            matches!(error, ReadError::NotRegular("a character device")),
            "{error}"
        );
        let file = dir.path().join("x.py");
        std::fs::write(&file, "x = 1\n").unwrap();
        assert_eq!(read_regular_file(&file).unwrap(), b"x = 1\n");
    }
}
