//! Every finding code, with its severity and a one-line meaning. The README's code table is
//! generated from this list (a test keeps the two equal), so a code cannot go undocumented.

use serde::Serialize;

use super::severity::Severity;

macro_rules! codes {
    ($($variant:ident = $code:literal, $severity:ident, $meaning:literal;)*) => {
        /// A finding's stable identifier.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(crate) enum Code {
            $($variant,)*
        }

        impl Code {
            #[cfg_attr(not(test), allow(dead_code))]
            pub(crate) const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub(crate) fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            pub(crate) fn severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }

            /// The README's wording; the table there is generated from it.
            #[cfg_attr(not(test), allow(dead_code))]
            pub(crate) fn meaning(self) -> &'static str {
                match self {
                    $(Code::$variant => $meaning,)*
                }
            }
        }
    };
}

codes! {
    UnknownKey = "ECSI-W-UNKNOWN-KEY", Warning, "a key outside the ECS model (kept, with its value, in the report)";
    Type = "ECSI-W-TYPE", Warning, "a number or boolean written as a string (or the reverse), read as what it spells";
    Empty = "ECSI-W-EMPTY", Warning, "an empty string meaning unset";
    DuplicateKey = "ECSI-W-DUPLICATE-KEY", Warning, "a key written twice in one object; the last value is used, as the AWS CLI does";
    Null = "ECSI-I-NULL", Info, "`null` meaning unset";
    ReadOnly = "ECSI-W-READ-ONLY", Warning, "a read-only field of describe output that carries meaning, dropped";
    ReadOnlyNote = "ECSI-I-READ-ONLY", Info, "a read-only field of describe-task-definition output, dropped";
    ContainerList = "ECSI-W-CONTAINER-LIST", Warning, "a bare container list without task-level settings";
    NoFamily = "ECSI-W-NO-FAMILY", Warning, "no family: the chart is named after the file";
    ChartName = "ECSI-I-CHART-NAME", Info, "the family made a valid chart name";
    Placeholder = "ECSI-W-PLACEHOLDER", Warning, "a value still holding a placeholder (`<IMAGE1_NAME>`, `${VAR}`, `{{ … }}`, `YOUR_…`)";
    CfnCondition = "ECSI-W-CFN-CONDITION", Warning, "a resource exists only when a template condition holds that depends on a deploy-time value";
    CfnUnresolved = "ECSI-W-CFN-UNRESOLVED", Warning, "a CloudFormation intrinsic only known at deploy time, kept as `${…}`";
    DeferredUnset = "ECSI-W-DEFERRED-UNSET", Warning, "a number or list only known at deploy time that the chart has no place for: left unset (the ECS default), to give with --var";
    CfnFamily = "ECSI-I-CFN-FAMILY", Info, "a template task definition without Family, named after its logical ID";
    Renamed = "ECSI-I-RENAMED", Info, "a name made valid for Kubernetes";
    PortName = "ECSI-I-PORT-NAME", Info, "a port name made valid (15 characters, lowercase) for Kubernetes";
    ImageMissing = "ECSI-W-IMAGE-MISSING", Warning, "no image; the repository is the placeholder REPLACE_ME";
    EnvDuplicate = "ECSI-W-ENV-DUPLICATE", Warning, "a variable set twice; the last wins, as on ECS";
    EnvSecretClash = "ECSI-W-ENV-SECRET-CLASH", Warning, "a variable set both as a value and as a secret; the secret wins, as on ECS";
    Username = "ECSI-W-USERNAME", Warning, "a user name that needs the image's /etc/passwd";
    Privileged = "ECSI-W-PRIVILEGED", Warning, "a privileged container";
    Essential = "ECSI-W-ESSENTIAL", Warning, "essential semantics approximated";
    Order = "ECSI-W-ORDER", Warning, "dependsOn approximated";
    OrderNote = "ECSI-I-ORDER", Info, "dependsOn mapped to init containers and native sidecars";
    NoMemory = "ECSI-W-NO-MEMORY", Warning, "no memory given for a container or the task";
    NoMemoryLimit = "ECSI-W-NO-MEMORY-LIMIT", Warning, "a memory reservation without a hard limit";
    TaskBudget = "ECSI-W-TASK-BUDGET", Warning, "a task-level CPU or memory budget shared out among containers";
    LbReadiness = "ECSI-I-LB-READINESS", Info, "the target group's health check, the readiness authority on ECS, as the readiness probe of a container without its own";
    HealthNone = "ECSI-I-HEALTH-NONE", Info, "a container without a health check: no probes";
    HealthHelper = "ECSI-I-HEALTH-HELPER", Info, "a non-essential container's health check, kept without liveness restarts";
    HealthForm = "ECSI-W-HEALTH-FORM", Warning, "a health check command form that needed translating";
    Secret = "ECSI-I-SECRET", Info, "where a secret's value lives on AWS";
    SecretFormat = "ECSI-W-SECRET-FORMAT", Warning, "a secret `valueFrom` that is not an ARN or a parameter name";
    Netmode = "ECSI-W-NETMODE", Warning, "a network mode with no pod equivalent";
    NetmodeNote = "ECSI-I-NETMODE", Info, "a network mode mapped to the pod network";
    HostPort = "ECSI-W-HOST-PORT", Warning, "a host port that differs from the container port";
    PortRange = "ECSI-W-PORT-RANGE", Warning, "a container port range, which Kubernetes cannot express";
    PortClash = "ECSI-W-PORT-CLASH", Warning, "two containers bind the same port, which their own network namespaces allowed on ECS (bridge mode) but a pod's shared one does not: the later one is off in values";
    PortDuplicate = "ECSI-I-PORT-DUPLICATE", Info, "a port mapped twice, kept once";
    VolumeSize = "ECSI-W-VOLUME-SIZE", Warning, "a volume claim size chosen by default (flagged in values)";
    ExistingVolume = "ECSI-W-EXISTING-VOLUME", Warning, "a Docker volume created outside the task";
    Driver = "ECSI-W-DRIVER", Warning, "a Docker volume driver with no CSI equivalent";
    DriverOpts = "ECSI-W-DRIVER-OPTS", Warning, "Docker volume driver options not carried over";
    Hostpath = "ECSI-W-HOSTPATH", Warning, "a node directory (logs, the Docker socket, /proc…) kept as a hostPath volume";
    InstanceVolume = "ECSI-I-INSTANCE-VOLUME", Info, "a host directory on an EBS volume the instance's user-data attached and mounted: the claim takes the volume's size, type and filesystem, and adopts it";
    InstanceVolumeFilesystem = "ECSI-W-INSTANCE-VOLUME-FS", Warning, "an instance EBS volume whose filesystem the user-data does not state: check it before adopting";
    InstanceVolumeId = "ECSI-W-INSTANCE-VOLUME-ID", Warning, "an instance EBS volume whose ID only the deployed stack knows: give --stack-resources or fill adoptVolumes";
    HostData = "ECSI-W-HOST-DATA", Warning, "a host directory holding the service's data, now a claim per replica (adoption or snapshot restore bring the data)";
    EbsVolume = "ECSI-I-EBS-VOLUME", Info, "an EBS volume (ECS-managed or a Docker plugin's) mapped to a claim on the EBS CSI driver";
    Hostname = "ECSI-W-HOSTNAME", Warning, "a container hostname, now the pod's name or hostname";
    SysctlOff = "ECSI-W-SYSCTL-OFF", Warning, "an unsafe sysctl kept in values but off until the kubelet allows it";
    Efs = "ECSI-W-EFS", Warning, "an EFS volume as a static PersistentVolume on the EFS CSI driver";
    EfsIam = "ECSI-W-EFS-IAM", Warning, "EFS IAM authorization, which the EFS CSI driver takes from its own role";
    FargateEbs = "ECSI-W-FARGATE-EBS", Warning, "an ECS-managed EBS volume configured at launch";
    Fsx = "ECSI-W-FSX", Warning, "an FSx for Windows volume";
    S3files = "ECSI-W-S3FILES", Warning, "an S3 Files volume";
    TmpfsOpts = "ECSI-W-TMPFS-OPTS", Warning, "tmpfs mount options not carried over";
    VolumesFrom = "ECSI-W-VOLUMES-FROM", Warning, "volumesFrom, approximated by mounting the same volumes";
    Dns = "ECSI-W-DNS", Warning, "DNS settings partly carried over";
    Sysctl = "ECSI-W-SYSCTL", Warning, "a sysctl that is not namespaced, not carried over";
    SysctlUnsafe = "ECSI-W-SYSCTL-UNSAFE", Warning, "a sysctl outside the kubelet's safe set";
    PidMode = "ECSI-W-PID-MODE", Warning, "a PID mode approximated";
    IpcMode = "ECSI-W-IPC-MODE", Warning, "an IPC mode approximated";
    IpcModeNote = "ECSI-I-IPC-MODE", Info, "an IPC mode mapped to the pod's";
    Ephemeral = "ECSI-I-EPHEMERAL", Info, "ephemeral storage mapped to requests";
    Tags = "ECSI-I-TAGS", Info, "task definition tags mapped to pod labels";
    TagClash = "ECSI-W-TAG-CLASH", Warning, "a service tag and a task definition tag share a key";
    Gpu = "ECSI-I-GPU", Info, "GPUs mapped to nvidia.com/gpu";
    Accelerator = "ECSI-W-ACCELERATOR", Warning, "an accelerator with no resource mapping";
    GpuSharing = "ECSI-W-GPU-SHARING", Warning, "GPU sharing, set on the device plugin";
    Ei = "ECSI-W-EI", Warning, "Elastic Inference, discontinued";
    Envfile = "ECSI-W-ENVFILE", Warning, "an S3 environment file (a values hook names what to create)";
    RepoCreds = "ECSI-W-REPO-CREDS", Warning, "registry credentials (a values hook names what to create)";
    IrsaTrust = "ECSI-I-IRSA-TRUST", Info, "the task role's trust policy needs the cluster's OIDC provider";
    ExecRole = "ECSI-I-EXEC-ROLE", Info, "the execution role's duties move to the node and the secrets operator";
    Windows = "ECSI-W-WINDOWS", Warning, "a Windows task";
    Compatibility = "ECSI-I-COMPATIBILITY", Info, "launch type compatibility";
    Placement = "ECSI-W-PLACEMENT", Warning, "a placement constraint not carried over";
    PlacementAttr = "ECSI-W-PLACEMENT-ATTR", Warning, "a placement attribute with no node label";
    PlacementNote = "ECSI-I-PLACEMENT", Info, "a placement constraint mapped to node affinity";
    Ulimit = "ECSI-W-ULIMIT", Warning, "ulimits, which Kubernetes cannot set per container";
    Devices = "ECSI-W-DEVICES", Warning, "host devices, which need a device plugin";
    Init = "ECSI-W-INIT", Warning, "initProcessEnabled, which needs an init in the image";
    Swap = "ECSI-W-SWAP", Warning, "swap settings, set on the node";
    SecurityOpts = "ECSI-W-SECURITY-OPTS", Warning, "a Docker security option with no Kubernetes equivalent, or a seccomp profile file that must be on the nodes";
    Links = "ECSI-W-LINKS", Warning, "links, not needed in a pod";
    Restart = "ECSI-W-RESTART", Warning, "a container restart policy";
    StartTimeout = "ECSI-W-START-TIMEOUT", Warning, "a dependency start timeout";
    Digest = "ECSI-W-DIGEST", Warning, "image digest pinning";
    Networking = "ECSI-W-NETWORKING", Warning, "disableNetworking";
    MetadataEndpoint = "ECSI-W-METADATA", Warning, "a container reads the ECS task metadata endpoint, which EKS does not have";
    DockerLabel = "ECSI-I-DOCKER-LABEL", Info, "a Docker label, now a pod annotation (Datadog autodiscovery and Prometheus scrape labels translated)";
    Gmsa = "ECSI-W-GMSA", Warning, "gMSA credential specs";
    Logdriver = "ECSI-W-LOGDRIVER", Warning, "a log driver: logging moves to a node agent (Fluent Bit, CloudWatch Observability add-on)";
    Firelens = "ECSI-W-FIRELENS", Warning, "FireLens: logging moves to a node agent";
    Appmesh = "ECSI-W-APPMESH", Warning, "App Mesh proxy configuration, no equivalent";
    Fault = "ECSI-W-FAULT", Warning, "ECS fault injection, no equivalent";
    Tee = "ECSI-W-TEE", Warning, "trusted execution, no equivalent";
    EnvMissing = "ECSI-W-ENV-MISSING", Warning, "a service missing from an environment (`--env`)";
    Rollout = "ECSI-I-ROLLOUT", Info, "rollout bounds of a StatefulSet";
    Ingress = "ECSI-I-INGRESS", Info, "an Application Load Balancer mapped to an Ingress";
    Nlb = "ECSI-I-NLB", Info, "a Network Load Balancer target group";
    LbPort = "ECSI-W-LB-PORT", Warning, "a load balancer port that no container maps";
    LbType = "ECSI-W-LB-TYPE", Warning, "a load balancer whose type is unknown";
    CircuitBreaker = "ECSI-W-CIRCUIT-BREAKER", Warning, "the deployment circuit breaker";
    Alarms = "ECSI-W-ALARMS", Warning, "CloudWatch alarm rollbacks";
    ClassicElb = "ECSI-W-CLASSIC-ELB", Warning, "a Classic Load Balancer";
    PlacementStrategy = "ECSI-W-PLACEMENT-STRATEGY", Warning, "a placement strategy";
    CapacityProvider = "ECSI-W-CAPACITY-PROVIDER", Warning, "a capacity provider strategy";
    ScalingMetric = "ECSI-W-SCALING-METRIC", Warning, "a scaling policy on a metric the HPA cannot read";
    StepScaling = "ECSI-W-STEP-SCALING", Warning, "a step scaling policy: the HPA scales toward a target instead";
    ScalingCooldown = "ECSI-I-SCALING-COOLDOWN", Info, "scaling cooldowns, carried as HPA stabilization windows";
    AlbSettings = "ECSI-I-ALB-SETTINGS", Info, "target group, listener and load balancer settings, carried as AWS Load Balancer Controller annotations";
    AlbRoute = "ECSI-I-ALB-ROUTE", Info, "listener rules' hosts and paths, carried as Ingress rules";
    AlbCondition = "ECSI-W-ALB-CONDITION", Warning, "a listener rule condition or action an Ingress rule cannot express";
    ScheduleInexact = "ECSI-W-SCHEDULE", Warning, "a schedule expression cron cannot express exactly (L, W, #, a year, a rate that does not divide the clock)";
    ScheduleField = "ECSI-W-SCHEDULE-FIELD", Warning, "a field of an EventBridge rule or schedule, or of its ECS target, not carried over to the CronJob";
    ScheduleInput = "ECSI-W-SCHEDULE-INPUT", Warning, "a scheduled run's input (container overrides) is not applied: the CronJob runs the task definition as it is";
    ScheduleEvent = "ECSI-W-SCHEDULE-EVENT", Warning, "an EventBridge rule that reacts to events, or a target that is not an ECS task: not converted";
    Daemon = "ECSI-I-DAEMON", Info, "a DAEMON service as a DaemonSet; host networking and host ports noted";
    AppVersion = "ECSI-I-APP-VERSION", Info, "an image tag that is not a version (a CDK asset hash, latest): appVersion is the chart version";
    TargetGroup = "ECSI-I-TARGET-GROUP", Info, "the service's target group, ready for a TargetGroupBinding cut-over";
    Drain = "ECSI-I-DRAIN", Info, "a container serving a port pauses before its stop signal, so no proxy sends to a stopped pod during a rollout";
    PlaintextSecret = "ECSI-W-PLAINTEXT-SECRET", Warning, "an environment value, command argument, health check or Docker label holds a secret in plain text, by its name or its format (named, never shown)";
    PodSecurity = "ECSI-I-POD-SECURITY", Info, "the Pod Security Standards level the pods meet with their default values, and what keeps them from a stricter one";
    StatefulSetUpdate = "ECSI-W-STATEFULSET-UPDATE", Warning, "a re-import changes a StatefulSet field Kubernetes does not update in place (claim templates, pod management policy): the chart's minor version goes up, and the upgrade needs a migration step";
    EditMerged = "ECSI-I-EDIT-MERGED", Info, "a re-import merged your edit of a generated file with the new conversion: both changes are in";
    MergeConflict = "ECSI-W-CONFLICT", Warning, "a re-import and your edit changed the same key or line differently: yours is kept, the new version is in .ecs-import/new/";
    GracePeriod = "ECSI-I-GRACE-PERIOD", Info, "the service's health check grace period, as a startup probe budget or minReadySeconds";
    CapacityUnknown = "ECSI-W-CAPACITY-UNKNOWN", Warning, "a capacity provider whose Auto Scaling group the input does not describe: its spot share is not known, never judged by its name";
    CloudMap = "ECSI-W-CLOUD-MAP", Warning, "a Cloud Map name clients used, replaced by the Service's name on EKS";
    CloudMapPort = "ECSI-I-CLOUD-MAP-PORT", Info, "a port a Cloud Map registry named that no port mapping declares, added so the headless Service keeps it";
    DiscoveryRewrite = "ECSI-W-DISCOVERY-REWRITE", Warning, "an environment value naming another converted service by its Cloud Map name, rewritten to the Service name (or kept with --keep-discovery-names)";
    Capacity = "ECSI-I-CAPACITY", Info, "a capacity provider strategy: spot shares become a preference for spot nodes; weights and base named";
    SecurityGroups = "ECSI-I-SECURITY-GROUPS", Info, "the tasks' security groups, ready for a SecurityGroupPolicy (off)";
    ServiceConnect = "ECSI-W-SERVICE-CONNECT", Warning, "a Service Connect alias: its port is on the Service, its DNS name changes to the Service's";
    ServiceField = "ECSI-W-SERVICE-FIELD", Warning, "an ECS service field not carried over";
    ServiceRuntime = "ECSI-I-SERVICE-RUNTIME", Info, "a field of describe-services output that describes the running state";
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The README's table of codes, generated from the list above.
#[cfg(test)]
fn markdown_table() -> String {
    let mut out = String::from("| Code | Severity | Meaning |\n|------|----------|---------|\n");
    for code in Code::ALL {
        let severity = match code.severity() {
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        out.push_str(&format!("| `{code}` | {severity} | {} |\n", code.meaning()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_say_their_severity() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            let letter = match code.severity() {
                Severity::Warning => "-W-",
                Severity::Info => "-I-",
            };
            assert!(code.as_str().contains(letter), "{code}");
        }
    }

    #[test]
    fn the_readme_table_is_generated_from_the_codes() {
        crate::readme_block::check(
            "codes",
            &markdown_table(),
            "UPDATE_README_CODES",
            "scripts/update-readme-codes.sh",
        );
    }
}
