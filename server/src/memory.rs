//! How the process hands memory back to the system, and how many heaps it keeps.

/// Sets the process's allocators up for a long-running server. Call it before any other thread
/// starts: neither allocator's settings are made for a running program.
///
/// The server's own allocations go to mimalloc (`main.rs`), set up by `tune_mimalloc`. glibc's
/// allocator serves the C code linked in, SQLite above all (its page caches and statements);
/// other C libraries are left as they are.
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
    tune_mimalloc();
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

/// mimalloc's settings, by their place in `mi_option_e` of the mimalloc 3 that `libmimalloc-sys`
/// builds (it gives them no names; the test below checks that each place holds the setting's
/// default).
mod mi_option {
    /// How long freed memory is kept for reuse before it goes back to the system, in ms.
    pub const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    /// How many emptied pages of each size a thread keeps.
    pub const PAGE_FULL_RETAIN: libmimalloc_sys::mi_option_t = 36;
}

/// Sets mimalloc, the server's allocator, to hand freed memory back to the system at once and
/// to keep no emptied pages. Each thread has its own heap, so by default every thread that
/// served a large page or report kept that memory for a second (four reports at once, two
/// pages of each size per thread). At 100,000 incidents that took the server's peak from
/// 121 MiB to 95 MiB over the benchmark, and pages were served as fast (BENCHMARKS.md,
/// "mimalloc").
fn tune_mimalloc() {
    // SAFETY: called from `tune_allocator`, before other threads start; both settings take any
    // value.
    unsafe {
        libmimalloc_sys::mi_option_set(mi_option::PURGE_DELAY, 0);
        libmimalloc_sys::mi_option_set(mi_option::PAGE_FULL_RETAIN, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::mi_option;

    /// This test binary never sets mimalloc's options, so each holds its default: 1000 ms for
    /// the purge delay and 2 pages for the pages kept. Another mimalloc, with the settings in
    /// other places, fails here rather than setting something else.
    #[test]
    fn mimalloc_settings_are_where_they_are_looked_for() {
        // SAFETY: reading a setting has no preconditions.
        let (delay, retain) = unsafe {
            (
                libmimalloc_sys::mi_option_get(mi_option::PURGE_DELAY),
                libmimalloc_sys::mi_option_get(mi_option::PAGE_FULL_RETAIN),
            )
        };
        assert_eq!((delay, retain), (1000, 2));
    }
}
