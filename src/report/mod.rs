//! Outputs: the summary table printed to the terminal, `summary.json`,
//! `variants.csv`, the per-replication tables (`replications.csv`,
//! `stations.csv`, `pools.csv`, `timeseries.csv`), the charts, the HTML
//! report and the optional event trace, all fed by one
//! [`RunResults`](crate::experiment::RunResults): its summaries in memory,
//! and its full results read back from the job files one replication at a
//! time.
//!
//! Every file is written atomically: to a temporary file in the same folder,
//! then renamed over the target, so an interrupted run never leaves a
//! half-written file that looks whole.

mod csv_out;
mod html;
mod json;
mod optimize;
pub mod plots;
mod risk;
mod sensitivity;
mod service;
mod table;
mod units;

use std::io::Write;
use std::path::Path;

pub use csv_out::{write_replication_tables, write_trace_csv, write_variants_csv};
pub use html::{report_html, write_report};
pub use json::{SummaryFile, write_summary_json};
pub use optimize::{optimize_table, write_optimize};
pub use plots::{Chart, draw_svgs, gantt_factory, gantt_stations, write_plots};
pub use sensitivity::{lever_label, sensitivity_table, write_sensitivity_csv};

use crate::experiment::RunResults;
use crate::scenario::Scenario;

/// Writes every results file of a run into `dir`.
pub fn write_all(dir: &Path, scenario: &Scenario, results: &RunResults) -> std::io::Result<()> {
    write_summary_json(dir, scenario, results)?;
    write_variants_csv(dir, results)?;
    write_sensitivity_csv(dir, scenario, results)?;
    risk::write_risk_csv(dir, results)?;
    write_replication_tables(dir, scenario, results)
}
pub use table::summary_table;

/// Writes `path` atomically with the bytes produced by `fill`.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    check_target(path)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = temp_file(tempfile::Builder::new().prefix(".tmp"), dir)?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        fill(&mut w)?;
        w.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Refuses to replace `path` if it exists and is not a regular file: an
/// output written over a FIFO, a device or a symbolic link (by renaming a
/// new file over it) would silently destroy it.
pub fn check_target(path: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if !m.file_type().is_file() => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "{} is {}, not a regular file, and shopfloor will not replace it: give the path of a regular file or of a new one",
                path.display(),
                crate::scenario::file_kind(&m.file_type())
            ),
        )),
        _ => Ok(()),
    }
}

/// A temporary file in `dir` that becomes an output when renamed. It is
/// created with mode 0666 less the umask, as any other tool creates files
/// (tempfile's default, 0600, would hide the results from the colleagues
/// who share the folder).
pub(crate) fn temp_file(
    builder: &mut tempfile::Builder<'_, '_>,
    dir: &Path,
) -> std::io::Result<tempfile::NamedTempFile> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The mode is passed to open(2), which applies the umask.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}
