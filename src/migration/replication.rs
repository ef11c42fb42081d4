//! Software that copies its own data: for the images the tool recognises, the replication path
//! that moves a stateful service while ECS keeps serving, with its own, smaller downtime.

use super::facts::MoveFacts;
use super::model::{Move, Side, Step, Strategy};
use super::stateful::helm_install;

struct Path {
    software: &'static str,
    /// Substrings of the image repository that name it.
    images: &'static [&'static str],
    /// Seconds clients cannot write during the switch, typical.
    switch_seconds: i64,
    switch: &'static str,
    steps: &'static [(&'static str, Option<&'static str>)],
}

const PATHS: &[Path] = &[
    Path {
        software: "Redis",
        images: &["redis", "valkey"],
        switch_seconds: 5,
        switch: "promotion of the replica and clients reconnecting",
        steps: &[
            ("make the new pod a replica of the ECS Redis (reachable from the cluster)", Some("kubectl exec CHART-0 -- redis-cli REPLICAOF OLD_HOST 6379")),
            ("wait until the link is up and the offsets match", Some("kubectl exec CHART-0 -- redis-cli INFO replication")),
            ("point clients to the Service, then promote the replica", Some("kubectl exec CHART-0 -- redis-cli REPLICAOF NO ONE")),
        ],
    },
    Path {
        software: "RabbitMQ",
        images: &["rabbitmq"],
        switch_seconds: 0,
        switch: "none: consumers and publishers move one at a time",
        steps: &[
            ("blue-green: the chart's broker is a new cluster; define the same users, vhosts and policies", None),
            ("shovel each queue from the ECS broker to the new one (or federate exchanges)", Some("rabbitmqctl set_parameter shovel move-QUEUE '{\"src-uri\":\"amqp://OLD_HOST\",\"src-queue\":\"QUEUE\",\"dest-uri\":\"amqp://\",\"dest-queue\":\"QUEUE\"}'")),
            ("move consumers to the new broker, then publishers; remove the shovels when the old queues are empty", None),
        ],
    },
    Path {
        software: "PostgreSQL",
        images: &["postgres", "postgis"],
        switch_seconds: 10,
        switch: "stop writes, let the subscriber catch up, switch clients",
        steps: &[
            ("publish every table on the ECS database", Some("psql -h OLD_HOST -c 'CREATE PUBLICATION move FOR ALL TABLES'")),
            ("load the schema into the new pod and subscribe; wait for the initial copy", Some("psql -h CHART -c \"CREATE SUBSCRIPTION move CONNECTION 'host=OLD_HOST dbname=DB' PUBLICATION move\"")),
            ("stop writes, wait for zero lag, move sequences, switch clients, drop the subscription", None),
        ],
    },
    Path {
        software: "MySQL",
        images: &["mysql", "mariadb", "percona"],
        switch_seconds: 10,
        switch: "stop writes, let the replica catch up, switch clients",
        steps: &[
            ("seed the new pod from a consistent dump of the ECS database (with GTIDs)", Some("mysqldump -h OLD_HOST --single-transaction --set-gtid-purged=ON --all-databases | kubectl exec -i CHART-0 -- mysql")),
            ("replicate from the ECS database until the lag is zero", Some("kubectl exec CHART-0 -- mysql -e \"CHANGE REPLICATION SOURCE TO SOURCE_HOST='OLD_HOST', SOURCE_AUTO_POSITION=1; START REPLICA\"")),
            ("stop writes, wait for zero lag, switch clients, STOP REPLICA and RESET REPLICA ALL", None),
        ],
    },
    Path {
        software: "MongoDB",
        images: &["mongo"],
        switch_seconds: 10,
        switch: "a replica-set election",
        steps: &[
            ("add the new pod to the ECS replica set and wait until it is SECONDARY", Some("mongosh --host OLD_HOST --eval 'rs.add(\"CHART-0.CHART-headless:27017\")'")),
            ("step the ECS primary down so the new member is elected, then remove the ECS member", Some("mongosh --host OLD_HOST --eval 'rs.stepDown()'")),
        ],
    },
    Path {
        software: "Elasticsearch / OpenSearch",
        images: &["elasticsearch", "opensearch"],
        switch_seconds: 0,
        switch: "none: shards move while the cluster serves",
        steps: &[
            ("join the new pods to the ECS cluster (same cluster name, seed hosts reaching both)", None),
            ("move the shards off the ECS nodes", Some("curl -XPUT OLD_HOST:9200/_cluster/settings -H 'Content-Type: application/json' -d '{\"persistent\":{\"cluster.routing.allocation.exclude._name\":\"OLD_NODE\"}}'")),
            ("when the ECS nodes hold no shards, stop them", None),
        ],
    },
    Path {
        software: "Vault (integrated storage)",
        images: &["vault"],
        switch_seconds: 5,
        switch: "a leadership transfer",
        steps: &[
            ("only with integrated storage (raft): join the new pod to the ECS node's cluster and unseal it", Some("kubectl exec CHART-0 -- vault operator raft join http://OLD_HOST:8200")),
            ("remove the ECS peer once the new one is a voter", Some("vault operator raft remove-peer OLD_NODE")),
        ],
    },
];

/// The replication move for the chart's image, if the tool knows one.
pub(super) fn path(f: &MoveFacts) -> Option<(Move, &'static str)> {
    let image = f.image.to_ascii_lowercase();
    let name = image.rsplit('/').next().unwrap_or(&image);
    let path = PATHS
        .iter()
        .find(|p| p.images.iter().any(|i| name.contains(i)))?;
    let empty_claims: String = f
        .instance_volumes
        .iter()
        .map(|(name, _)| format!(" --set persistence.{name}.adoptVolumes=null"))
        .collect();
    let mut steps = vec![Step::new(
        Side::Kubernetes,
        "install the chart with empty claims (no adopted volume) beside the running ECS service",
        Some(helm_install(f, &empty_claims)),
    )];
    steps.extend(path.steps.iter().map(|(text, command)| {
        Step::new(
            Side::Kubernetes,
            text.replace("CHART", &f.chart),
            command.map(|c| c.replace("CHART", &f.chart)),
        )
    }));
    let (_, service) = super::stateful::ecs_names(f);
    steps.push(Step::new(
        Side::Ecs,
        format!("scale the ECS service {service} to 0 once clients use the pods"),
        Some(super::stateful::scale_to_zero(f, false)),
    ));
    let parts = vec![super::stateful::part(
        path.switch,
        path.switch_seconds,
        "typical",
    )];
    Some((
        Move {
            strategy: Strategy::Replicate,
            why: format!(
                "{}'s own replication copies the data while ECS keeps serving",
                path.software
            ),
            downtime_seconds: path.switch_seconds,
            downtime_parts: parts,
            steps,
        },
        path.software,
    ))
}
