//! The prices used when no `--prices` file gives one: Linux on-demand hourly prices (USD,
//! shared tenancy) for the instance types common under ECS clusters, Fargate's vCPU and GB
//! hours, the EKS control plane and load balancers' hourly charge, in four main regions.
//! These are facts of one date, not current prices: every line priced from here says so.

use super::model::{InstanceSpec, PriceKey};

/// Named on every line priced from this table.
pub(super) const SOURCE: &str =
    "bundled table: AWS public price list (Linux on-demand, USD), as of 2025-06; not current, pass --prices for today's";

/// Regions whose instance prices equal another's (AWS prices us-west-2 as us-east-1).
const SAME_AS: &[(&str, &str)] = &[("us-west-2", "us-east-1")];

/// Instance type, then its hourly price in us-east-1, eu-west-1 and eu-central-1.
const INSTANCES: &[(&str, [f64; 3])] = &[
    ("t3.micro", [0.0104, 0.0114, 0.012]),
    ("t3.small", [0.0208, 0.0228, 0.024]),
    ("t3.medium", [0.0416, 0.0456, 0.048]),
    ("t3.large", [0.0832, 0.0912, 0.096]),
    ("t3.xlarge", [0.1664, 0.1824, 0.192]),
    ("t3a.medium", [0.0376, 0.0408, 0.0432]),
    ("t3a.large", [0.0752, 0.0816, 0.0864]),
    ("m5.large", [0.096, 0.107, 0.115]),
    ("m5.xlarge", [0.192, 0.214, 0.23]),
    ("m5.2xlarge", [0.384, 0.428, 0.46]),
    ("m5a.large", [0.086, 0.096, 0.104]),
    ("m5a.xlarge", [0.172, 0.192, 0.208]),
    ("m6i.large", [0.096, 0.107, 0.115]),
    ("m6i.xlarge", [0.192, 0.214, 0.23]),
    ("m6i.2xlarge", [0.384, 0.428, 0.46]),
    ("m6a.large", [0.0864, 0.0963, 0.1035]),
    ("m6a.xlarge", [0.1728, 0.1926, 0.207]),
    ("m7i.large", [0.1008, 0.1124, 0.1208]),
    ("m7i.xlarge", [0.2016, 0.2247, 0.2415]),
    ("m6g.large", [0.077, 0.086, 0.092]),
    ("m6g.xlarge", [0.154, 0.172, 0.184]),
    ("m7g.large", [0.0816, 0.0911, 0.0978]),
    ("c5.large", [0.085, 0.096, 0.097]),
    ("c5.xlarge", [0.17, 0.192, 0.194]),
    ("c6i.large", [0.085, 0.096, 0.097]),
    ("c6i.xlarge", [0.17, 0.192, 0.194]),
    ("c6g.large", [0.068, 0.0768, 0.0776]),
    ("c7g.large", [0.0725, 0.0817, 0.0826]),
    ("r5.large", [0.126, 0.141, 0.152]),
    ("r5.xlarge", [0.252, 0.282, 0.304]),
    ("r6i.large", [0.126, 0.141, 0.152]),
    ("r6i.xlarge", [0.252, 0.282, 0.304]),
    ("r6g.large", [0.1008, 0.1128, 0.1216]),
    ("r7g.large", [0.1071, 0.1199, 0.1292]),
];

const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "eu-central-1"];

/// Per region: Fargate vCPU-hour, Fargate GB-hour, application, network, gateway and classic
/// load balancer hour.
const REGIONAL: [[f64; 6]; 3] = [
    [0.04048, 0.004445, 0.0225, 0.0225, 0.0125, 0.025],
    [0.04048, 0.004445, 0.0252, 0.0252, 0.014, 0.028],
    [0.04656, 0.00511, 0.027, 0.027, 0.015, 0.03],
];

/// The EKS control plane per cluster-hour on standard and extended support (every region).
const EKS_STANDARD: f64 = 0.10;
const EKS_EXTENDED: f64 = 0.60;

/// EKS Auto Mode's management fee as a share of the instance's on-demand price (AWS's Auto
/// Mode price list is about 12% across the general-purpose, compute and memory families).
const AUTO_MODE_SHARE: f64 = 0.12;

pub(super) fn price(region: &str, key: &PriceKey) -> Option<f64> {
    let region = SAME_AS
        .iter()
        .find(|(r, _)| *r == region)
        .map_or(region, |(_, same)| same);
    let column = REGIONS.iter().position(|r| *r == region)?;
    let regional = REGIONAL[column];
    let instance = |t: &str| {
        INSTANCES
            .iter()
            .find(|(name, _)| *name == t)
            .map(|(_, p)| p[column])
    };
    match key {
        PriceKey::Instance(t) => instance(t),
        PriceKey::AutoModeFee(t) => instance(t).map(|p| round6(p * AUTO_MODE_SHARE)),
        PriceKey::FargateVcpu => Some(regional[0]),
        PriceKey::FargateGb => Some(regional[1]),
        PriceKey::EksCluster => Some(EKS_STANDARD),
        PriceKey::EksExtendedSupport => Some(EKS_EXTENDED),
        PriceKey::LoadBalancer(kind) => match kind.as_str() {
            "application" => Some(regional[2]),
            "network" => Some(regional[3]),
            "gateway" => Some(regional[4]),
            "classic" => Some(regional[5]),
            _ => None,
        },
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// vCPUs and memory by size within a family (`large` = 2 vCPU), memory per vCPU by family
/// letter, and the EKS AMI's pod limit by size (from each size's ENI limits).
pub(super) fn spec(instance_type: &str) -> Option<InstanceSpec> {
    let (family, size) = instance_type.split_once('.')?;
    if !INSTANCES.iter().any(|(t, _)| *t == instance_type) {
        return None;
    }
    let burstable = family.starts_with('t');
    let (vcpu, max_pods) = match (size, burstable) {
        ("micro", _) => (2, 4),
        ("small", _) => (2, 11),
        ("medium", _) => (2, 17),
        ("large", true) => (2, 35),
        ("large", false) => (2, 29),
        ("xlarge", _) => (4, 58),
        ("2xlarge", _) => (8, 58),
        _ => return None,
    };
    let gib_per_vcpu = match family.chars().next()? {
        'c' => 2,
        'r' => 8,
        _ => 4,
    };
    let memory_gib = match size {
        "micro" => 1,
        "small" => 2,
        "medium" => 4,
        _ => vcpu * gib_per_vcpu,
    };
    Some(InstanceSpec {
        vcpu,
        memory_mib: memory_gib * 1024,
        max_pods: Some(max_pods),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_family_and_size() {
        let s = spec("r6i.large").unwrap();
        assert_eq!((s.vcpu, s.memory_mib, s.max_pods), (2, 16384, Some(29)));
        let s = spec("c6i.xlarge").unwrap();
        assert_eq!((s.vcpu, s.memory_mib), (4, 8192));
        let s = spec("t3.medium").unwrap();
        assert_eq!((s.vcpu, s.memory_mib, s.max_pods), (2, 4096, Some(17)));
        assert_eq!(spec("m6i.metal"), None);
    }

    #[test]
    fn us_west_2_is_priced_as_us_east_1_and_unknown_regions_not_at_all() {
        let key = PriceKey::Instance("m6i.large".into());
        assert_eq!(price("us-west-2", &key), price("us-east-1", &key));
        assert_eq!(price("eu-west-1", &key), Some(0.107));
        assert_eq!(price("ap-south-2", &key), None);
        assert_eq!(
            price("eu-west-1", &PriceKey::AutoModeFee("m6i.large".into())),
            Some(0.01284)
        );
    }
}
