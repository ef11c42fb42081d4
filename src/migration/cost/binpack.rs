//! How many nodes of an instance type hold a set of pods: each node's allocatable (the type's
//! size less what the EKS AMI reserves for the kubelet and system, and less what every
//! DaemonSet pod takes), pods placed first-fit, largest first, within the node's pod limit.

use crate::pricing::InstanceSpec;

/// Pod limit assumed when the instance type's is not known (a `large` size's ENI limit).
const DEFAULT_MAX_PODS: i64 = 29;
/// The kubelet's hard eviction threshold on the EKS AMI.
const EVICTION_MIB: i64 = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Pod {
    pub chart: String,
    pub cpu: i64,
    pub memory: i64,
}

/// What each node gives to DaemonSet pods before any other pod.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct PerNode {
    pub cpu: i64,
    pub memory: i64,
    pub pods: i64,
}

/// CPU the EKS AMI reserves for the kubelet: 6% of the first core, 1% of the second, 0.5% of
/// the next two and 0.25% of the rest (millicores).
fn reserved_cpu(vcpu: i64) -> i64 {
    let mut m = 0.0;
    for core in 1..=vcpu {
        m += match core {
            1 => 60.0,
            2 => 10.0,
            3 | 4 => 5.0,
            _ => 2.5,
        };
    }
    m as i64
}

/// Memory the EKS AMI reserves: 255 MiB plus 11 MiB per pod it allows, and the eviction
/// threshold.
fn reserved_memory(max_pods: i64) -> i64 {
    255 + 11 * max_pods + EVICTION_MIB
}

/// Allocatable CPU and memory of one node for other pods, and how many pods it takes.
pub(super) fn allocatable(spec: InstanceSpec, daemons: PerNode) -> (i64, i64, i64) {
    let max_pods = spec.max_pods.unwrap_or(DEFAULT_MAX_PODS);
    (
        spec.vcpu * 1000 - reserved_cpu(spec.vcpu) - daemons.cpu,
        spec.memory_mib - reserved_memory(max_pods) - daemons.memory,
        max_pods - daemons.pods,
    )
}

/// Nodes needed, or the first pod no node of this type can hold.
pub(super) fn nodes(pods: &[Pod], spec: InstanceSpec, daemons: PerNode) -> Result<i64, Pod> {
    let (cpu, memory, slots) = allocatable(spec, daemons);
    let mut sorted: Vec<&Pod> = pods.iter().collect();
    sorted.sort_by(|a, b| (b.memory, b.cpu, &a.chart).cmp(&(a.memory, a.cpu, &b.chart)));
    let mut free: Vec<(i64, i64, i64)> = Vec::new();
    for pod in sorted {
        if pod.cpu > cpu || pod.memory > memory || slots < 1 {
            return Err(pod.clone());
        }
        match free
            .iter_mut()
            .find(|(c, m, s)| *c >= pod.cpu && *m >= pod.memory && *s >= 1)
        {
            Some(node) => {
                node.0 -= pod.cpu;
                node.1 -= pod.memory;
                node.2 -= 1;
            }
            None => free.push((cpu - pod.cpu, memory - pod.memory, slots - 1)),
        }
    }
    Ok(free.len() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(cpu: i64, memory: i64) -> Pod {
        Pod {
            chart: "p".into(),
            cpu,
            memory,
        }
    }

    const LARGE: InstanceSpec = InstanceSpec {
        vcpu: 2,
        memory_mib: 8192,
        max_pods: Some(29),
    };

    #[test]
    fn reservations_follow_the_eks_ami() {
        assert_eq!(reserved_cpu(2), 70);
        assert_eq!(reserved_cpu(8), 90);
        // 8192 - (255 + 11 × 29 + 100) = 7518 MiB; 2000 - 70 - 125 = 1805m.
        let daemons = PerNode {
            cpu: 125,
            memory: 0,
            pods: 2,
        };
        assert_eq!(allocatable(LARGE, daemons), (1805, 7518, 27));
    }

    #[test]
    fn pods_are_packed_largest_first_and_a_pod_too_big_is_named() {
        let daemons = PerNode::default();
        // Allocatable memory 7518 holds two 3000s: five need three nodes, four need two.
        let pods = vec![pod(0, 3000); 5];
        assert_eq!(nodes(&pods, LARGE, daemons), Ok(3));
        assert_eq!(nodes(&pods[..4], LARGE, daemons), Ok(2));
        // The 1000s fill the gaps the 3000s leave (518 and 1518 MiB left: one more node for
        // the second 1000 is not needed, it goes beside the third 3000).
        let mixed = vec![
            pod(0, 1000),
            pod(0, 3000),
            pod(0, 1000),
            pod(0, 3000),
            pod(0, 3000),
        ];
        assert_eq!(nodes(&mixed, LARGE, daemons), Ok(2));
        assert_eq!(nodes(&[], LARGE, daemons), Ok(0));
        assert_eq!(nodes(&[pod(0, 9000)], LARGE, daemons), Err(pod(0, 9000)));
        let many: Vec<Pod> = (0..30).map(|_| pod(1, 1)).collect();
        assert_eq!(nodes(&many, LARGE, daemons), Ok(2), "29 pods per node");
    }
}
