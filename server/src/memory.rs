//! How the process hands memory back to the system.

/// Makes glibc's allocator give every large block (128 KiB and more) back to the system when it
/// is freed. By default glibc raises that threshold to the largest block freed so far, so after
/// one password hash (7 MiB) or one large report, blocks of that size stay in the heap and the
/// server's resident memory only grows. Other C libraries are left as they are.
pub fn return_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const LARGE_BLOCK: libc::c_int = 128 * 1024;
        // SAFETY: mallopt only sets the allocator's parameters; any value is valid for it.
        let set = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE_BLOCK) };
        if set != 1 {
            tracing::warn!("the allocator refused a fixed threshold for large blocks");
        }
    }
}
