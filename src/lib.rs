//! helm-ecs-import: Amazon ECS task definitions → Helm charts.
//!
//! The pipeline reads off the modules: `ecs` (input model) → `convert` (mapping rules, one per
//! concern) → `workload` (intermediate model) → `chart` (files, written atomically). Findings
//! along the way collect in a `report::Report`.

pub mod batch;
pub mod chart;
pub mod cli;
pub mod convert;
pub mod ecs;
pub mod environments;
pub mod error;
pub mod package;
pub mod placeholder;
pub mod repo;
pub mod report;
pub mod verify;
pub mod workload;
pub mod yaml;

use crate::report::Code;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cli::{Cli, WorkloadArg};
use error::{Error, Result};
use report::{Report, Severity};
use workload::WorkloadKind;

/// One input converted in memory, not yet written.
pub struct Converted {
    pub source: PathBuf,
    pub chart: chart::Chart,
    pub report: Report,
    pub kind: WorkloadKind,
}

/// One task definition mapped to the intermediate model, with its findings.
pub struct Service {
    pub source: PathBuf,
    pub workload: workload::Workload,
    pub report: Report,
}

/// Everything the conversion needs besides the files.
#[derive(Debug, Clone)]
pub struct Settings {
    pub name: Option<String>,
    pub chart: chart::ChartOptions,
    pub convert: convert::Options,
    pub strict: bool,
    /// Values for placeholders, from --var and --var-file.
    pub vars: BTreeMap<String, String>,
}

impl Settings {
    pub fn from_cli(cli: &Cli) -> Result<Self> {
        if cli.name.is_some() && (cli.files.len() > 1 || !cli.env.is_empty()) {
            return Err(Error::Usage(
                "--name names one chart; it cannot be used with several FILEs or with --env".into(),
            ));
        }
        let mut seen = Vec::new();
        for (env, _) in &cli.env {
            if seen.contains(&env) {
                return Err(Error::Usage(format!("environment {env} is given twice")));
            }
            seen.push(env);
        }
        Ok(Settings {
            name: cli.name.clone(),
            chart: chart::ChartOptions {
                version: cli
                    .chart_version
                    .clone()
                    .unwrap_or_else(|| semver::Version::new(0, 1, 0)),
                app_version: cli.app_version.clone(),
            },
            convert: convert::Options {
                workload: match cli.workload {
                    WorkloadArg::Auto => None,
                    WorkloadArg::Statefulset => Some(WorkloadKind::StatefulSet),
                    WorkloadArg::Deployment => Some(WorkloadKind::Deployment),
                },
            },
            strict: cli.strict,
            vars: {
                let mut vars = BTreeMap::new();
                for file in &cli.var_files {
                    let text = std::fs::read_to_string(file).map_err(|source| Error::Read {
                        path: file.clone(),
                        source,
                    })?;
                    let parsed =
                        placeholder::parse_var_file(&text).map_err(|message| Error::Input {
                            file: file.display().to_string(),
                            message,
                        })?;
                    vars.extend(parsed);
                }
                vars.extend(cli.vars.iter().cloned());
                vars
            },
        })
    }
}

pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The chart name for a task definition: `--name`, else the ECS service's name, else the
/// family (without the environment's name), else the file name.
pub fn chart_name_for(
    name: Option<&str>,
    service: Option<&str>,
    family: Option<&str>,
    env: Option<&str>,
    stem: &str,
) -> String {
    let base = match (service.or(family), env) {
        (Some(f), Some(e)) => Some(environments::service_key(f, e)),
        (Some(f), None) => Some(f.to_string()),
        (None, Some(e)) => Some(environments::service_key(stem, e)),
        (None, None) => None,
    };
    let candidates = [name, base.as_deref(), Some(stem)];
    convert::naming::chart_name(candidates.into_iter().flatten())
        .unwrap_or_else(|| "ecs-service".to_string())
}

/// `web.json`, `web.json.tpl` and `web.json.template` all give `web`.
pub fn file_stem(path: &Path) -> String {
    let name = file_name(path);
    let name = name
        .strip_suffix(".tpl")
        .or_else(|| name.strip_suffix(".template"))
        .unwrap_or(&name);
    name.strip_suffix(".json").unwrap_or(name).to_string()
}

/// Reads one task definition and maps it; `env` is taken out of the family when given.
pub fn convert_service(path: &Path, settings: &Settings, env: Option<&str>) -> Result<Service> {
    let loaded = ecs::load_with(path, &settings.vars)?;
    convert_loaded(loaded, path, settings, None, env)
}

/// Maps a task definition already read; `service_name` names the chart when an ECS service
/// runs it.
pub fn convert_loaded(
    loaded: ecs::Loaded,
    path: &Path,
    settings: &Settings,
    service_name: Option<&str>,
    env: Option<&str>,
) -> Result<Service> {
    let file = path.display().to_string();
    let mut report = loaded.report;
    let family = loaded.task.family.clone();
    let stem = file_stem(path);
    let name = chart_name_for(
        settings.name.as_deref(),
        service_name,
        family.as_deref(),
        env,
        &stem,
    );
    if family.is_none() && settings.name.is_none() && service_name.is_none() {
        report.warn(
            Code::NoFamily,
            &loaded.task.path.key("family"),
            "the task definition has no family",
            format!("the chart is named {name:?} after the file; use --name to choose"),
        );
    } else if let Some(f) = family
        .as_deref()
        .filter(|f| *f != name && settings.name.is_none() && service_name.is_none())
    {
        report.info(
            Code::ChartName,
            &loaded.task.path.key("family"),
            format!("family {f:?} gives the chart name {name:?}"),
            "named after the family, made a valid chart name without the environment's name",
        );
    }
    let workload = convert::convert(&loaded.task, name, &settings.convert, &mut report)
        .map_err(|e| Error::field(&file, e))?;
    Ok(Service {
        source: path.to_path_buf(),
        workload,
        report,
    })
}

pub(crate) fn check_strict(settings: &Settings, file: &Path, report: &Report) -> Result<()> {
    if !settings.strict {
        return Ok(());
    }
    let warnings: Vec<_> = report.warnings().collect();
    match warnings.first() {
        Some(first) => Err(Error::Strict {
            file: file.display().to_string(),
            count: warnings.len(),
            first: format!("{} at {}", first.code, first.pointer),
        }),
        None => Ok(()),
    }
}

/// Reads, converts and renders one task definition file; writes nothing.
pub fn convert_file(path: &Path, settings: &Settings) -> Result<Converted> {
    let mut service = convert_service(path, settings, None)?;
    service.report.sort();
    check_strict(settings, path, &service.report)?;
    let chart = chart::build(
        &service.workload,
        &file_name(path),
        &service.report,
        &settings.chart,
    )?;
    Ok(Converted {
        source: service.source,
        chart,
        report: service.report,
        kind: service.workload.kind,
    })
}

/// The task definition files under `path`: the file itself, or the inputs below a directory
/// (as for a batch: stable order, hidden entries skipped).
pub fn input_files(path: &Path) -> Result<Vec<PathBuf>> {
    let (files, mut errors) = batch::input_files(&[path.to_path_buf()]);
    match errors.pop() {
        Some(e) => Err(e),
        None => Ok(files.into_iter().map(|(p, _)| p).collect()),
    }
}

/// Converts every environment's task definitions and merges each service into one chart.
pub fn convert_environments(
    envs: &[(String, PathBuf)],
    settings: &Settings,
) -> Vec<Result<Converted>> {
    let mut results = Vec::new();
    // chart name → (environment index, service), in environment order.
    let mut services: BTreeMap<String, Vec<(usize, Service)>> = BTreeMap::new();
    for (index, (env, path)) in envs.iter().enumerate() {
        let files = match input_files(path) {
            Ok(files) => files,
            Err(e) => {
                results.push(Err(e));
                continue;
            }
        };
        for file in files {
            match convert_service(&file, settings, Some(env)) {
                Ok(mut service) => {
                    service.report.sort();
                    let entry = services.entry(service.workload.name.clone()).or_default();
                    if let Some((_, other)) = entry.iter().find(|(i, _)| *i == index) {
                        results.push(Err(Error::Input {
                            file: file.display().to_string(),
                            message: format!(
                                "gives chart {:?} in environment {env}, as {} does",
                                service.workload.name,
                                other.source.display()
                            ),
                        }));
                    } else {
                        entry.push((index, service));
                    }
                }
                Err(e) => results.push(Err(e)),
            }
        }
    }
    for (name, members) in services {
        results.push(merge_environments(&name, envs, members, settings));
    }
    results
}

fn merge_environments(
    name: &str,
    envs: &[(String, PathBuf)],
    members: Vec<(usize, Service)>,
    settings: &Settings,
) -> Result<Converted> {
    let (base_index, base) = &members[0];
    let base_env = &envs[*base_index].0;
    let base_values = chart::values::build(&base.workload);
    let base_json = base_values.to_json();
    let mut report = Report::default();
    let mut value_files = Vec::new();
    for (index, service) in &members {
        let env = &envs[*index].0;
        for finding in &service.report.findings {
            let mut finding = finding.clone();
            finding.environment = Some(env.clone());
            report.push(finding);
        }
        let values = chart::values::build(&service.workload).to_json();
        let diff = environments::overlay(&base_json, &values);
        value_files.push((
            format!("values-{env}.yaml"),
            environments::values_file(
                env,
                &service.source.display().to_string(),
                base_env,
                diff.as_ref(),
            ),
        ));
    }
    for (index, (env, _)) in envs.iter().enumerate() {
        if !members.iter().any(|(i, _)| *i == index) {
            report.push(report::Finding {
                code: Code::EnvMissing,
                severity: Severity::Warning,
                pointer: String::new(),
                message: format!("service {name:?} has no task definition in environment {env}"),
                action: format!("no values-{env}.yaml; the chart serves the other environments"),
                value: None,
                environment: Some(env.clone()),
            });
        }
    }
    report.sort();
    check_strict(settings, &base.source, &report)?;
    let sources: Vec<String> = members
        .iter()
        .map(|(i, s)| format!("{}={}", envs[*i].0, s.source.display()))
        .collect();
    let mut chart = chart::build_with_values(
        &base.workload,
        &sources.join(", "),
        &report,
        &settings.chart,
        &base_values,
    )?;
    for (file, text) in value_files {
        chart.files.insert(file, text.into_bytes());
    }
    Ok(Converted {
        source: base.source.clone(),
        chart,
        report,
        kind: base.workload.kind,
    })
}

/// What happened to one written chart, kept small so a big batch does not hold every chart.
struct Written {
    source: PathBuf,
    dir: PathBuf,
    kind: WorkloadKind,
    warnings: Vec<String>,
    notes: usize,
    values_files: Vec<String>,
}

/// Writes a converted chart (and its archive with --package).
fn write_converted(mut converted: Converted, cli: &Cli) -> Result<Written> {
    if cli.chart_version.is_none() {
        chart::write::follow_previous_version(&mut converted.chart, &cli.output);
    }
    let dir = chart::write::write_chart(&converted.chart, &cli.output, cli.force)?;
    if cli.package {
        let built = package::build(&dir, None)?;
        package::write(&built, &cli.output)?;
    }
    let warnings: Vec<String> = converted
        .report
        .warnings()
        .map(|f| {
            let env = f
                .environment
                .as_deref()
                .map(|e| format!("[{e}] "))
                .unwrap_or_default();
            format!("{env}{} {}: {}; {}", f.code, f.pointer, f.message, f.action)
        })
        .collect();
    let notes = converted.report.findings.len() - warnings.len();
    Ok(Written {
        source: converted.source,
        dir,
        kind: converted.kind,
        warnings,
        notes,
        values_files: converted
            .chart
            .files
            .keys()
            .filter(|k| k.starts_with("values-") && k.ends_with(".yaml"))
            .cloned()
            .collect(),
    })
}

fn read_password(registry: &cli::RegistryArgs) -> Result<Option<repo::credentials::Credentials>> {
    let Some(username) = &registry.username else {
        return Ok(None);
    };
    let mut password = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut password).map_err(|source| {
        Error::Read {
            path: PathBuf::from("<stdin>"),
            source,
        }
    })?;
    Ok(Some(repo::credentials::Credentials {
        username: username.clone(),
        password: password.trim_end_matches(['\n', '\r']).to_string(),
    }))
}

fn registry_for(target: &str, registry: &cli::RegistryArgs) -> Result<repo::oci::Registry> {
    let reference = repo::oci::Reference::parse(target).ok_or_else(|| {
        Error::Usage(format!(
            "{target:?} is not an OCI reference like oci://HOST[:PORT]/PATH"
        ))
    })?;
    let credentials = match read_password(registry)? {
        Some(c) => Some(c),
        None => repo::credentials::from_registry_config(&reference.host),
    };
    Ok(repo::oci::Registry::new(
        reference,
        registry.plain_http,
        credentials,
    ))
}

/// `package`: reproducible archives, at versions that follow content when a repo is given.
pub fn run_package(args: &cli::PackageArgs) -> Result<()> {
    let mut registry = match args.repo.as_deref() {
        Some(r) if r.starts_with("oci://") => Some(registry_for(r, &args.registry)?),
        _ => None,
    };
    let index = match args.repo.as_deref() {
        Some(r) if r.starts_with("http://") || r.starts_with("https://") => {
            Some(repo::index::fetch(r)?)
        }
        Some(r) if !r.starts_with("oci://") => repo::directory::read_index(Path::new(r))?,
        _ => None,
    };
    for dir in &args.charts {
        let own = package::build(dir, args.version.as_ref())?;
        let newest = match (&mut registry, &index) {
            (Some(reg), _) => reg.newest(&own.name)?,
            (None, Some(index)) => index.newest(&own.name),
            (None, None) => None,
        };
        let version = package::version_following_content(
            dir,
            &own.version,
            newest.as_ref().map(|(v, d)| (v, d.as_str())),
        )?;
        let built = if version == own.version {
            own
        } else {
            package::build(dir, Some(&version))?
        };
        let packaged = package::write(&built, &args.destination)?;
        if !args.quiet {
            let note = match &newest {
                Some((v, _)) if *v == packaged.version => " (unchanged since it was published)",
                Some(_) => " (content changed since the newest published version)",
                None => "",
            };
            eprintln!(
                "{}: packaged {} sha256:{}{note}",
                dir.display(),
                packaged.path.display(),
                packaged.digest
            );
        }
    }
    Ok(())
}

/// `publish`: archives into a static repository (merged index.yaml) or an OCI registry.
pub fn run_publish(args: &cli::PublishArgs) -> Result<()> {
    if args.repo.starts_with("oci://") {
        let mut registry = registry_for(&args.repo, &args.registry)?;
        for path in &args.archives {
            let (bytes, metadata) = package::read_archive(path)?;
            let pushed = registry.push(&bytes, &metadata)?;
            if !args.quiet {
                eprintln!("{}: pushed {pushed}", path.display());
            }
        }
        return Ok(());
    }
    if args.repo.contains("://") {
        return Err(Error::Usage(format!(
            "--repo {:?}: expected a directory or oci://HOST[:PORT]/PATH",
            args.repo
        )));
    }
    let outcome = repo::directory::publish(
        &args.archives,
        Path::new(&args.repo),
        args.url.as_deref(),
        args.force,
    )?;
    if !args.quiet {
        for (what, list) in [
            ("added", &outcome.added),
            ("replaced", &outcome.replaced),
            ("unchanged", &outcome.unchanged),
        ] {
            for chart in list.iter() {
                eprintln!("{}: {what} {chart}", args.repo);
            }
        }
    }
    Ok(())
}

/// Runs the command line; returns the process exit status.
pub fn run(cli: &Cli) -> u8 {
    let sub = match &cli.command {
        Some(cli::Command::Package(args)) => Some(run_package(args)),
        Some(cli::Command::Publish(args)) => Some(run_publish(args)),
        None => None,
    };
    if let Some(result) = sub {
        return match result {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("Error: {e}");
                e.exit_code()
            }
        };
    }
    run_convert(cli)
}

fn run_convert(cli: &Cli) -> u8 {
    use rayon::prelude::*;

    let settings = match Settings::from_cli(cli) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("Error: {e}");
            return e.exit_code();
        }
    };
    let mut outcomes: Vec<Result<Written>> = Vec::new();
    let mut skipped: Vec<(PathBuf, String)> = Vec::new();
    if cli.env.is_empty() {
        let plan = batch::plan(&cli.files, &settings);
        if settings.name.is_some() && plan.jobs.len() > 1 {
            let e = Error::Usage("--name names one chart, but the inputs hold several".into());
            eprintln!("Error: {e}");
            return e.exit_code();
        }
        skipped = plan.skipped;
        outcomes.extend(plan.failed.into_iter().map(Err));
        let progress = if cli.quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            indicatif::ProgressBar::hidden()
        } else {
            let bar = indicatif::ProgressBar::new(plan.jobs.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} charts {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        };
        // Each job converts and writes its own chart directory, so the work runs in
        // parallel; results come back in plan order, so output never depends on scheduling.
        let results: Vec<Result<Written>> = plan
            .jobs
            .par_iter()
            .map(|job| {
                let result = job.convert(&settings).and_then(|c| write_converted(c, cli));
                progress.inc(1);
                result
            })
            .collect();
        progress.finish_and_clear();
        outcomes.extend(results);
    } else {
        let mut names: BTreeMap<String, PathBuf> = BTreeMap::new();
        for result in convert_environments(&cli.env, &settings) {
            outcomes.push(result.and_then(|converted| {
                if let Some(first) = names.get(&converted.chart.name) {
                    return Err(Error::Input {
                        file: converted.source.display().to_string(),
                        message: format!(
                            "gives chart {:?}, which {} already gave in this run",
                            converted.chart.name,
                            first.display()
                        ),
                    });
                }
                names.insert(converted.chart.name.clone(), converted.source.clone());
                write_converted(converted, cli)
            }));
        }
    }

    let mut failed = false;
    let written_count = outcomes.iter().filter(|o| o.is_ok()).count();
    // Warning details for a handful of charts; a big batch points to the reports instead.
    let detail = written_count <= 10;
    let mut with_warnings = 0;
    let mut to_verify = Vec::new();
    for outcome in &outcomes {
        match outcome {
            Ok(w) => {
                if !w.warnings.is_empty() {
                    with_warnings += 1;
                }
                if !cli.quiet {
                    eprintln!(
                        "{}: wrote {} ({}, {} warning(s), {} note(s))",
                        w.source.display(),
                        w.dir.display(),
                        w.kind.as_str(),
                        w.warnings.len(),
                        w.notes
                    );
                    if detail {
                        for line in &w.warnings {
                            eprintln!("  warning {line}");
                        }
                    }
                }
                to_verify.push((w.dir.clone(), w.values_files.clone()));
            }
            Err(e) => {
                eprintln!("Error: {e}");
                failed = true;
            }
        }
    }
    if !cli.quiet {
        for (path, reason) in &skipped {
            eprintln!("{}: skipped: {reason}", path.display());
        }
        let failures = outcomes.len() - written_count;
        if outcomes.len() + skipped.len() > 1 {
            eprintln!(
                "Summary: {written_count} converted ({with_warnings} with warnings), {} skipped, {failures} failed{}",
                skipped.len(),
                if detail || with_warnings == 0 { String::new() } else { format!("; warnings are in each chart's {}", chart::REPORT_FILE) }
            );
        }
    }
    if cli.verify {
        let helm = verify::helm_binary();
        for (dir, values) in &to_verify {
            let errors = verify::verify_chart(&helm, dir, values);
            if errors.is_empty() && !cli.quiet {
                eprintln!("{}: verified with {}", dir.display(), helm.display());
            }
            for e in errors {
                eprintln!("Error: {e}");
                failed = true;
            }
        }
    }
    u8::from(failed)
}
