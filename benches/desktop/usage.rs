//! CPU time and memory of a whole process group (the app, its threads and any children it
//! started; the bench starts each app as the leader of its own group), from /proc.

use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    /// utime + stime of every live process in the group, plus cutime + cstime (children
    /// that have exited and been reaped).
    pub cpu_seconds: f64,
    /// Sum of VmRSS.
    pub rss_kib: u64,
    /// Sum of Pss from smaps_rollup; `None` if any was unreadable.
    pub pss_kib: Option<u64>,
    pub processes: usize,
}

pub fn group_usage(pgid: u32) -> Usage {
    let mut usage = Usage {
        pss_kib: Some(0),
        ..Usage::default()
    };
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return usage;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // The command name may hold spaces: fields are counted after its closing parenthesis.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let num = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
        if num(2) != Some(f64::from(pgid)) || fields.first() == Some(&"Z") {
            continue;
        }
        let ticks: f64 = [11, 12, 13, 14].iter().filter_map(|&i| num(i)).sum();
        usage.cpu_seconds += ticks / ticks_per_second();
        usage.rss_kib += kib_field(&format!("/proc/{pid}/status"), "VmRSS:").unwrap_or(0);
        usage.pss_kib = usage
            .pss_kib
            .zip(kib_field(&format!("/proc/{pid}/smaps_rollup"), "Pss:"))
            .map(|(a, b)| a + b);
        usage.processes += 1;
    }
    usage
}

/// `Key:   1234 kB` from a /proc file.
fn kib_field(path: &str, key: &str) -> Option<u64> {
    std::fs::read_to_string(path).ok().and_then(|s| {
        s.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
    })
}

fn ticks_per_second() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(100.0)
    })
}
