//! Memory the app shares with each worker for rendered pixels. Through the pipe, a
//! 1200 px page (5.8 MB) cost a wake-up per 64 KB and two copies in the kernel, more
//! than pdfium took to draw it; here the worker draws straight into the memory and the
//! app copies the page out once.
//!
//! The memory is a memfd as large as the largest bitmap, sealed at that size before
//! the worker gets it: nobody can shrink it, so a worker gone wrong can garble the
//! pixels it hands over but never make the app's reading of them fault.
#![allow(unsafe_code)] // the two mappings; why each is sound is said where it is made

use std::fs::File;
use std::os::fd::OwnedFd;

use memmap2::{Mmap, MmapMut};
use rustix::fs::{FallocateFlags, MemfdFlags, SealFlags};

use crate::MAX_BITMAP_PIXELS;

/// Bytes of shared memory per worker: the largest bitmap, 4 bytes a pixel. Only what a
/// page touches takes memory.
const PAGE_MEMORY_BYTES: u64 = MAX_BITMAP_PIXELS * 4;

/// The app's side: read-only.
pub(crate) struct PageMemory {
    map: Mmap,
}

impl PageMemory {
    /// New memory, and the descriptor to hand the worker.
    pub(crate) fn create() -> std::io::Result<(PageMemory, OwnedFd)> {
        // Close-on-exec: only the worker it is mapped into gets it, not the app's other
        // children (WebKit's processes among them).
        let fd = rustix::fs::memfd_create(
            "quorum-pages",
            MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING,
        )?;
        let file = File::from(fd);
        file.set_len(PAGE_MEMORY_BYTES)?;
        rustix::fs::fcntl_add_seals(&file, SealFlags::SHRINK | SealFlags::GROW | SealFlags::SEAL)?;
        // SAFETY: the file is a memfd sealed at its size, so every byte of the mapping
        // stays backed for as long as it lives; the worker may change the bytes, which
        // the app only copies and treats as untrusted pixels.
        let map = unsafe { Mmap::map(&file)? };
        Ok((PageMemory { map }, file.into()))
    }

    /// The first `bytes` bytes, to be copied out at once; `None` past the memory's end.
    pub(crate) fn first(&self, bytes: usize) -> Option<&[u8]> {
        self.map.get(..bytes)
    }
}

/// The worker's side: where it draws.
pub struct Canvas {
    file: File,
    map: MmapMut,
    /// Bytes made ready before the first page, kept for the pages that follow.
    prepared: usize,
    /// Bytes the pages drawn so far reached: past them, the memory was never touched.
    used: usize,
}

impl Canvas {
    /// Maps the page memory the app handed over, opened read-write.
    pub fn open(file: File) -> std::io::Result<Canvas> {
        // SAFETY: the app sealed the memfd's size before handing it over, so the whole
        // mapping stays backed; the app only reads it between answers.
        let map = unsafe { MmapMut::map_mut(&file)? };
        Ok(Canvas {
            file,
            map,
            prepared: 0,
            used: 0,
        })
    }

    /// Touches the first `bytes` of the memory and keeps them, so no page that fits
    /// waits while the system finds it memory a page at a time (a few ms here).
    pub fn prepare(&mut self, bytes: usize) {
        if let Some(room) = self.room(bytes) {
            room.fill(0);
            self.prepared = bytes;
        }
    }

    /// Room for a page of `bytes` bytes, or `None` when more than the memory holds.
    /// What a larger page took past the prepared part is given back to the system
    /// first, so one poster does not keep its megabytes while small pages follow.
    pub(crate) fn room(&mut self, bytes: usize) -> Option<&mut [u8]> {
        let kept = bytes.max(self.prepared);
        if kept < self.used {
            // A hole in the memfd frees those pages; they read as zeros if touched again.
            let freed = rustix::fs::fallocate(
                &self.file,
                FallocateFlags::PUNCH_HOLE | FallocateFlags::KEEP_SIZE,
                kept as u64,
                (self.used - kept) as u64,
            );
            if freed.is_ok() {
                self.used = kept;
            }
        }
        let room = self.map.get_mut(..bytes)?;
        self.used = self.used.max(bytes);
        Some(room)
    }
}
