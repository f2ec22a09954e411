//! A process's CPU time and resident memory from /proc, for benchmarks that compare Parla with
//! the peers side by side; a thread's scheduling, for tests of real-time promotion.

/// Resident set size in KiB (`VmRSS`); 0 when the process is gone.
pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// User plus system CPU time in seconds; 0 when the process is gone.
pub fn cpu_seconds(pid: u32) -> f64 {
    let fields = stat_fields(&format!("/proc/{pid}/stat"));
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / clock_ticks_per_second()
}

/// `SCHED_OTHER`, `SCHED_FIFO` and `SCHED_RR` as [`scheduling`] reports them.
pub const SCHED_OTHER: u32 = 0;
pub const SCHED_FIFO: u32 = 1;
pub const SCHED_RR: u32 = 2;

/// (policy, real-time priority) of thread `tid` of this process; `None` when it is gone.
pub fn scheduling(tid: u64) -> Option<(u32, u32)> {
    let fields = stat_fields(&format!("/proc/self/task/{tid}/stat"));
    // rt_priority and policy are the stat file's 40th and 41st fields.
    let field = |i: usize| fields.get(i).and_then(|v| v.parse().ok());
    Some((field(38)?, field(37)?))
}

/// The ids of this process's threads named `name` (as /proc shows it: 15 bytes at most).
pub fn threads_named(name: &str) -> Vec<u64> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm")).is_ok_and(|c| c.trim_end() == name)
        })
        .filter_map(|task| task.file_name().to_str()?.parse().ok())
        .collect()
}

/// True if this process runs as root.
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

/// The fields of a /proc `stat` file from the third on (the state). The command name may hold
/// spaces: they are counted after its closing parenthesis.
fn stat_fields(path: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

fn clock_ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn this_process_has_memory_and_cpu() {
        let pid = std::process::id();
        assert!(super::rss_kib(pid) > 0);
        let spin: u64 = (0..5_000_000u64).fold(0, |a, b| a.wrapping_add(b * b));
        assert!(spin > 0);
        assert!(super::cpu_seconds(pid) > 0.0);
        assert_eq!(super::rss_kib(u32::MAX), 0);
    }
}
