//! How the process hands memory back to the system, and how many heaps it keeps.

/// Sets glibc's allocator up for a long-running server; other C libraries are left as they are.
/// The server's own allocations go to mimalloc (`main.rs`); glibc's allocator serves the C code
/// linked in, SQLite above all (its page caches and statements).
///
/// - Every large block (128 KiB and more) goes back to the system when it is freed. By default
///   glibc raises that threshold to the largest block freed so far, so after one large block,
///   blocks of that size stay in the heap and the server's resident memory only grows.
/// - One heap per core. By default a thread that finds the heaps busy is given a heap of its
///   own, up to eight per core, and each heap keeps what was freed into it for later. The
///   server has many threads (the runtime's workers and blocking threads, a thread per SQLite
///   connection); at 100,000 incidents, when glibc still served all of the server, the heaps held
///   60 MiB after the busiest pages, and 42 MiB with one per core.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const LARGE_BLOCK: libc::c_int = 128 * 1024;
        // SAFETY: mallopt only sets the allocator's parameters; any value is valid for it.
        let set = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE_BLOCK) };
        if set != 1 {
            tracing::warn!("the allocator refused a fixed threshold for large blocks");
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let heaps = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
        // SAFETY: as above.
        let set = unsafe { libc::mallopt(libc::M_ARENA_MAX, heaps) };
        if set != 1 {
            tracing::warn!("the allocator refused a limit of one heap per core");
        }
    }
}
