//! Reading the files a scenario is made of — the scenario file itself and
//! the order books it names — safely: only regular files (a FIFO would
//! block forever, `/dev/zero` would fill the memory), and no more than a
//! cap of bytes.
//!
//! The order books a scenario was read with are kept ([`Books`]), so that
//! `merge` and `report` rebuild the scenario from the run's manifest with
//! the very same books, wherever they are run and whatever happened to the
//! CSV files since.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// The largest scenario file read: 16 MiB.
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;
/// The largest order book read: 64 MiB.
pub const MAX_BOOK_BYTES: u64 = 64 << 20;

/// The order books of a scenario: their contents by the path written in
/// the file (`[orders] book = "…"`).
pub type Books = BTreeMap<String, Vec<u8>>;

/// Reads `path`, refusing anything but a regular file (a symlink to one is
/// fine) and files of more than `cap` bytes. The error says why, without
/// the path (the caller names it).
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, String> {
    // `metadata` follows symlinks and, unlike opening, does not block on a
    // FIFO.
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(format!(
            "it is {}, not a regular file",
            kind(&meta.file_type())
        ));
    }
    let too_big = || {
        format!(
            "it is larger than {} MiB, the most shopfloor reads",
            cap >> 20
        )
    };
    if meta.len() > cap {
        return Err(too_big());
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may have grown since: read one byte past the cap to know.
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > cap {
        return Err(too_big());
    }
    Ok(bytes)
}

/// "a folder", "a FIFO (named pipe)", … for a file type that is not a
/// regular file.
pub fn kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a folder"
    } else if t.is_symlink() {
        "a symbolic link"
    } else if t.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// The order books met while validating one scenario (its baseline and
/// every variant): those given beforehand (from a run's manifest) are used
/// as they are; any other is read from disk once and remembered.
#[derive(Debug, Default)]
pub(crate) struct Shelf {
    books: RefCell<Books>,
}

impl Shelf {
    /// A shelf holding `books`.
    pub fn with(books: Books) -> Shelf {
        Shelf {
            books: RefCell::new(books),
        }
    }

    /// The book written as `name` in the file, found at `path` if it is not
    /// on the shelf yet.
    pub fn book(&self, name: &str, path: &Path) -> Result<Vec<u8>, String> {
        if let Some(b) = self.books.borrow().get(name) {
            return Ok(b.clone());
        }
        let b = read_regular(path, MAX_BOOK_BYTES)?;
        self.books.borrow_mut().insert(name.to_string(), b.clone());
        Ok(b)
    }

    /// Every book on the shelf.
    pub fn into_books(self) -> Books {
        self.books.into_inner()
    }
}
