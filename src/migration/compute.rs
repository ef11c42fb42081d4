//! Where each service should run on EKS: its pod's requests, whether EKS Fargate can run it
//! (with every reason it cannot), the size Fargate would bill (requests plus the 256 MiB
//! Fargate adds, rounded up to a valid combination), and a recommendation: spot nodes where
//! ECS ran it on spot, on-demand nodes for stateful services and the rest, Fargate where ECS ran
//! it on Fargate and it can.

use serde::Serialize;

use super::facts::MoveFacts;

/// Memory EKS Fargate adds to every pod for its own agents.
const FARGATE_OVERHEAD_MIB: i64 = 256;

/// Fargate's valid sizes: vCPU (in millicores), then memory from, to and in steps of (MiB).
const FARGATE_SIZES: &[(i64, i64, i64, i64)] = &[
    (250, 512, 512, 512),
    (250, 1024, 2048, 1024),
    (500, 1024, 4096, 1024),
    (1000, 2048, 8192, 1024),
    (2000, 4096, 16384, 1024),
    (4000, 8192, 30720, 1024),
    (8000, 16384, 61440, 4096),
    (16000, 32768, 122_880, 8192),
];

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Compute {
    /// The pod's requests: CPU in millicores, memory in MiB (None where the chart sets none).
    pub cpu_millicores: Option<i64>,
    pub memory_mib: Option<i64>,
    pub fargate: Fargate,
    /// `fargate`, `spot` or `on-demand`.
    pub recommendation: &'static str,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Fargate {
    pub eligible: bool,
    /// Every reason EKS Fargate cannot run the pod.
    pub reasons: Vec<String>,
    /// The size Fargate would bill: vCPU in millicores and memory in MiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billed_cpu_millicores: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billed_memory_mib: Option<i64>,
    /// What the size assumes where the chart requests nothing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumed: Vec<String>,
}

/// The smallest valid Fargate size holding `cpu` millicores and `memory` MiB (overhead
/// included by the caller), or None when it is bigger than Fargate's largest.
pub(crate) fn fargate_size(cpu: i64, memory: i64) -> Option<(i64, i64)> {
    FARGATE_SIZES
        .iter()
        .filter(|(vcpu, _, to, _)| *vcpu >= cpu && *to >= memory)
        .find_map(|&(vcpu, from, to, step)| {
            let mut m = from;
            while m < memory && m < to {
                m += step;
            }
            (m >= memory && m <= to).then_some((vcpu, m))
        })
}

pub(super) fn of(f: &MoveFacts) -> Compute {
    let mut reasons = f.fargate_blockers.clone();
    let mut assumed = Vec::new();
    if f.cpu_millicores.is_none() {
        assumed.push("no CPU request: Fargate's smallest, 0.25 vCPU".to_string());
    }
    if f.memory_mib.is_none() {
        assumed.push("no memory request: 512 MiB".to_string());
    }
    let cpu = f.cpu_millicores.unwrap_or(250);
    let memory = f.memory_mib.unwrap_or(512) + FARGATE_OVERHEAD_MIB;
    let size = fargate_size(cpu, memory);
    if size.is_none() {
        reasons.push(format!("{cpu}m CPU and {memory} MiB (with Fargate's 256 MiB) exceed Fargate's largest size, 16 vCPU and 120 GiB"));
    }
    let eligible = reasons.is_empty();
    let (recommendation, why) = recommend(f, eligible);
    Compute {
        cpu_millicores: f.cpu_millicores,
        memory_mib: f.memory_mib,
        fargate: Fargate {
            eligible,
            reasons,
            billed_cpu_millicores: size.filter(|_| eligible).map(|s| s.0),
            billed_memory_mib: size.filter(|_| eligible).map(|s| s.1),
            assumed,
        },
        recommendation,
        why,
    }
}

fn recommend(f: &MoveFacts, fargate_ok: bool) -> (&'static str, String) {
    if !f.instance_volumes.is_empty() || !f.other_data.is_empty() {
        return ("on-demand", "stateful: its data must not move on a spot interruption, and EKS Fargate mounts no EBS volume".into());
    }
    if f.spot_percent > 0 {
        return (
            "spot",
            format!(
                "ECS ran {}% of it on spot, so it tolerates interruptions; spot nodes cost least",
                f.spot_percent
            ),
        );
    }
    if f.ran_on_fargate && fargate_ok {
        return ("fargate", "ECS ran it on Fargate and EKS Fargate can run it: no nodes to manage (the billed size is larger than on ECS Fargate)".into());
    }
    let reason = if f.ran_on_fargate {
        "ECS ran it on Fargate, but EKS Fargate cannot (see the reasons)"
    } else {
        "ECS ran it on on-demand instances"
    };
    ("on-demand", reason.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fargate_rounds_up_to_a_valid_size_with_its_overhead() {
        // AWS's own example: 1 vCPU and 8 GB requested become 2 vCPU and 9 GB.
        assert_eq!(
            fargate_size(1000, 8192 + FARGATE_OVERHEAD_MIB),
            Some((2000, 9216))
        );
        assert_eq!(
            fargate_size(100, 128 + FARGATE_OVERHEAD_MIB),
            Some((250, 512))
        );
        assert_eq!(fargate_size(250, 700), Some((250, 1024)));
        assert_eq!(fargate_size(500, 4097), Some((1000, 5120)));
        assert_eq!(fargate_size(8000, 61441), Some((16000, 65536)));
        assert_eq!(fargate_size(16001, 1024), None);
        assert_eq!(fargate_size(1000, 130_000), None);
    }
}
