#!/usr/bin/env python3
"""Writes cdk.out/: a three-environment estate shaped like the team's, synthesized the way CDK
synthesizes one app as a stack per environment. Written for the suite; run it again after
changing it (python3 tests/fixtures-cdk-estate/generate.py) and commit the result."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ENVS = [
    # name, account, data volume GiB (vault, redis, rabbitmq), desired counts (web, worker, api),
    # instances the groups keep (general, burst, stateful)
    ("dev", "111111111111", (5, 10, 8), (1, 1, 1), (1, 1, 1)),
    ("staging", "222222222222", (20, 20, 16), (2, 1, 2), (1, 1, 1)),
    ("prod", "333333333333", (100, 50, 40), (4, 2, 3), (2, 2, 1)),
]
REGION = "eu-west-1"
ZONE = "eu-west-1a"


def ref(x):
    return {"Ref": x}


def getatt(x, a):
    return {"Fn::GetAtt": [x, a]}


def user_data(env):
    lines = [
        "#!/bin/bash\n",
        "set -euo pipefail\n",
        "echo ECS_CLUSTER=", ref("Cluster"), " >> /etc/ecs/ecs.config\n",
        "INSTANCE_ID=$(ec2-metadata --instance-id | cut -d' ' -f2)\n",
    ]
    for vol, dev, mount in [("VaultData3F1A2B4C", "/dev/xvdf", "/data/vault"),
                            ("RedisData9C8D7E6F", "/dev/xvdg", "/data/redis"),
                            ("RabbitData5A6B7C8D", "/dev/xvdh", "/data/rabbitmq")]:
        lines += [
            "aws ec2 attach-volume --region ", REGION, " --volume-id ", ref(vol),
            " --instance-id $INSTANCE_ID --device ", dev, "\n",
            "while [ ! -e ", dev, " ]; do sleep 1; done\n",
            "blkid ", dev, " || mkfs.xfs -f ", dev, "\n",
            "mkdir -p ", mount, "\n",
            "echo '", dev, " ", mount, " xfs defaults,nofail 0 2' >> /etc/fstab\n",
            "mount ", mount, "\n",
        ]
    return {"Fn::Base64": {"Fn::Join": ["", lines]}}


def volume(size, iops, retained=True):
    v = {
        "Type": "AWS::EC2::Volume",
        "Properties": {
            "AvailabilityZone": ZONE, "Size": size, "VolumeType": "gp3", "Iops": iops,
            "Throughput": 125, "Encrypted": True, "KmsKeyId": getatt("DataKey1234ABCD", "Arn"),
        },
    }
    if retained:
        v["UpdateReplacePolicy"] = "Retain"
        v["DeletionPolicy"] = "Retain"
    return v


def asg(lt, zones, desired, mixed=None, types=None):
    props = {"MinSize": "1", "MaxSize": "4", "DesiredCapacity": str(desired),
             "VPCZoneIdentifier": [f"subnet-0{z}" for z in zones]}
    if mixed is None:
        props["LaunchTemplate"] = {"LaunchTemplateId": ref(lt), "Version": getatt(lt, "LatestVersionNumber")}
    else:
        props["MixedInstancesPolicy"] = {
            "InstancesDistribution": {"OnDemandBaseCapacity": 0,
                                      "OnDemandPercentageAboveBaseCapacity": mixed,
                                      "SpotAllocationStrategy": "price-capacity-optimized"},
            "LaunchTemplate": {
                "LaunchTemplateSpecification": {"LaunchTemplateId": ref(lt), "Version": getatt(lt, "LatestVersionNumber")},
                "Overrides": [{"InstanceType": t} for t in types]},
        }
    return {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": props}


def launch_template(instance_type, data=None):
    d = {"ImageId": "ami-0abcdef1234567890", "InstanceType": instance_type,
         "IamInstanceProfile": {"Arn": getatt("InstanceProfile", "Arn")}}
    if data:
        d["UserData"] = data
    return {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": d}}


def provider(asg_id, name=None):
    p = {"AutoScalingGroupProvider": {"AutoScalingGroupArn": ref(asg_id), "ManagedTerminationProtection": "DISABLED"}}
    if name:
        p["Name"] = name
    return {"Type": "AWS::ECS::CapacityProvider", "Properties": p}


def container(name, image, memory, ports, env=None, health=None, mounts=None, cpu=None):
    c = {"Name": name, "Image": image, "Memory": memory, "Essential": True,
         "PortMappings": [{"ContainerPort": p, "HostPort": hp, "Protocol": "tcp"} for p, hp in ports],
         "LogConfiguration": {"LogDriver": "awslogs", "Options": {"awslogs-group": ref("Logs"), "awslogs-stream-prefix": name, "awslogs-region": REGION}}}
    if env:
        c["Environment"] = [{"Name": k, "Value": v} for k, v in env.items()]
    if health:
        c["HealthCheck"] = health
    if cpu:
        c["Cpu"] = cpu
    if mounts:
        c["MountPoints"] = [{"SourceVolume": v, "ContainerPath": p, "ReadOnly": False} for v, p in mounts]
    return c


def task(family, containers, volumes=None, mode="bridge", fargate=None):
    p = {"Family": family, "NetworkMode": mode, "RequiresCompatibilities": ["EC2"],
         "ContainerDefinitions": containers, "TaskRoleArn": getatt("TaskRoleA1B2C3D4", "Arn")}
    if fargate:
        p["RequiresCompatibilities"] = ["FARGATE"]
        p["Cpu"], p["Memory"] = fargate
    if volumes:
        p["Volumes"] = [{"Name": n, "Host": {"SourcePath": s}} for n, s in volumes]
    return {"Type": "AWS::ECS::TaskDefinition", "Properties": p}


def discovery(name):
    return {"Type": "AWS::ServiceDiscovery::Service",
            "Properties": {"Name": name, "NamespaceId": getatt("Namespace", "Id"),
                           "DnsConfig": {"DnsRecords": [{"Type": "SRV", "TTL": 60}], "NamespaceId": getatt("Namespace", "Id")}}}


def service(name, td, count, strategy, registry=None, lbs=None, port=None):
    p = {"ServiceName": name, "Cluster": ref("Cluster"), "TaskDefinition": ref(td), "DesiredCount": count,
         "CapacityProviderStrategy": strategy,
         "DeploymentConfiguration": {"MaximumPercent": 200, "MinimumHealthyPercent": 50}}
    if registry:
        p["ServiceRegistries"] = [{"RegistryArn": getatt(registry, "Arn"), "ContainerName": name, "ContainerPort": port}]
    if lbs:
        p["LoadBalancers"] = lbs
    return {"Type": "AWS::ECS::Service", "Properties": p}


def stack(env, sizes, counts, instances):
    ns = f"{env}.estate.internal"
    vault_size, redis_size, rabbit_size = sizes
    web_count, worker_count, api_count = counts
    general, burst, stateful_count = instances
    stateful = [{"CapacityProvider": ref("StatefulCpB1C2D3E4"), "Weight": 1}]
    r = {
        "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": f"estate-{env}"}},
        "DataKey1234ABCD": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {}}},
        "TaskRoleA1B2C3D4": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
        "InstanceProfile": {"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": []}},
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}},
        "Namespace": {"Type": "AWS::ServiceDiscovery::PrivateDnsNamespace", "Properties": {"Name": ns, "Vpc": "vpc-0123"}},
        "VaultData3F1A2B4C": volume(vault_size, 3000),
        "RedisData9C8D7E6F": volume(redis_size, 3000),
        # Left with CloudFormation's default policies, which delete the data with the stack.
        "RabbitData5A6B7C8D": volume(rabbit_size, 4000, retained=False),
        "GeneralLt": launch_template("m6i.large"),
        "BurstLt": launch_template("m6i.large"),
        "StatefulLt": launch_template("r6i.large", user_data(env)),
        "GeneralAsg": asg("GeneralLt", "ab", general),
        "BurstAsg": asg("BurstLt", "abc", burst, mixed=0, types=["m6i.large", "m5.large", "m5a.large"]),
        "StatefulAsg": asg("StatefulLt", "a", stateful_count),
        "WebAlb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                   "Properties": {"Scheme": "internet-facing", "Subnets": ["subnet-0a", "subnet-0b"]}},
        "RabbitNlb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                      "Properties": {"Type": "network", "Scheme": "internal", "Subnets": ["subnet-0a"]}},
        # A small API ECS ran on Fargate (0.5 vCPU / 1 GB tasks); EKS Fargate can run it too.
        "ApiTask1A2B3C4D": task("api", [container("api", "registry.example.com/estate/api:3.8.1", 1024, [(9000, 9000)],
                                env={"LOG_LEVEL": "info"}, cpu=512)], mode="awsvpc", fargate=("512", "1024")),
        "ApiService": service("api", "ApiTask1A2B3C4D", api_count, [{"CapacityProvider": "FARGATE", "Weight": 1}]),
        "GeneralCpDCB671BF": provider("GeneralAsg", f"general-{env}"),
        "BurstCp7F3E2A1C": provider("BurstAsg", f"burst-{env}"),
        "StatefulCpB1C2D3E4": provider("StatefulAsg"),
        "Associations": {"Type": "AWS::ECS::ClusterCapacityProviderAssociations",
                         "Properties": {"Cluster": ref("Cluster"),
                                        "CapacityProviders": [ref("GeneralCpDCB671BF"), ref("BurstCp7F3E2A1C"), ref("StatefulCpB1C2D3E4")],
                                        "DefaultCapacityProviderStrategy": [{"CapacityProvider": ref("GeneralCpDCB671BF"), "Weight": 1}]}},
        "VaultTask0A1B2C3D": task("vault", [container("vault", "hashicorp/vault:1.17.2", 1024, [(8200, 8200)],
                                  env={"VAULT_ADDR": "http://127.0.0.1:8200"},
                                  health={"Command": ["CMD-SHELL", "vault status -address=http://127.0.0.1:8200 || [ $? -eq 2 ]"], "Interval": 10, "Timeout": 5, "Retries": 3, "StartPeriod": 30},
                                  mounts=[("data", "/vault/file")])], volumes=[("data", "/data/vault/file")]),
        "VaultDiscovery": discovery("vault"),
        "VaultService": service("vault", "VaultTask0A1B2C3D", 1, stateful, registry="VaultDiscovery", port=8200),
        "RedisTask4E5F6A7B": task("redis", [container("redis", "redis:7.2.5", 2048, [(6379, 6379)],
                                  health={"Command": ["CMD", "redis-cli", "ping"], "Interval": 10, "Timeout": 3, "Retries": 3},
                                  mounts=[("data", "/data")])], volumes=[("data", "/data/redis")]),
        "RedisDiscovery": discovery("redis"),
        "RedisService": service("redis", "RedisTask4E5F6A7B", 1, stateful, registry="RedisDiscovery", port=6379),
        "RabbitTask8C9D0E1F": task("rabbitmq", [container("rabbitmq", "rabbitmq:3.13.6-management", 2048, [(5672, 5672), (15672, 15672), (15692, 15692)],
                                   mounts=[("data", "/var/lib/rabbitmq")])], volumes=[("data", "/data/rabbitmq")],
                                   mode="awsvpc"),
        "RabbitDiscovery": discovery("rabbitmq"),
        "RabbitNlbTg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
                        "Properties": {"Port": 5672, "Protocol": "TCP", "TargetType": "ip", "VpcId": "vpc-0123",
                                       "HealthCheckProtocol": "HTTP", "HealthCheckPath": "/metrics", "HealthCheckPort": "15692",
                                       "HealthCheckIntervalSeconds": 30, "HealthyThresholdCount": 3, "UnhealthyThresholdCount": 3}},
        "RabbitService": service("rabbitmq", "RabbitTask8C9D0E1F", 1, stateful, registry="RabbitDiscovery", port=5672,
                                 lbs=[{"ContainerName": "rabbitmq", "ContainerPort": 5672, "TargetGroupArn": ref("RabbitNlbTg")}]),
        "WebTask2B3C4D5E": task("web", [container("web", "registry.example.com/estate/web:3.8.1", 512, [(8080, 0)],
                                env={"REDIS_URL": f"redis://redis.{ns}:6379/0",
                                     "VAULT_ADDR": f"http://vault.{ns}:8200",
                                     "AMQP_HOST": f"rabbitmq.{ns}",
                                     "LOG_LEVEL": "info"})]),
        "WebTg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
                  "Properties": {"Port": 8080, "Protocol": "HTTP", "TargetType": "instance", "VpcId": "vpc-0123",
                                 "HealthCheckPath": "/healthz", "HealthCheckPort": "traffic-port", "HealthCheckIntervalSeconds": 15,
                                 "HealthCheckTimeoutSeconds": 5, "HealthyThresholdCount": 2, "UnhealthyThresholdCount": 3,
                                 "Matcher": {"HttpCode": "200"}}},
        "WebService": service("web", "WebTask2B3C4D5E", web_count,
                              [{"CapacityProvider": ref("GeneralCpDCB671BF"), "Base": 1, "Weight": 1},
                               {"CapacityProvider": ref("BurstCp7F3E2A1C"), "Weight": 3}],
                              lbs=[{"ContainerName": "web", "ContainerPort": 8080, "TargetGroupArn": ref("WebTg")}]),
        "WorkerTask6F7A8B9C": task(f"worker-{env}", [container("worker", "registry.example.com/estate/worker:3.8.1", 512, [],
                                   env={"AMQP_HOST": f"rabbitmq.{ns}", "JOB": "consume"})]),
        "WorkerService": service("worker", "WorkerTask6F7A8B9C", worker_count,
                                 [{"CapacityProvider": ref("BurstCp7F3E2A1C"), "Weight": 1}]),
        "NightlyRule": {"Type": "AWS::Events::Rule",
                        "Properties": {"Name": f"nightly-report-{env}", "ScheduleExpression": "cron(0 2 * * ? *)",
                                       "Targets": [{"Id": "report", "Arn": getatt("Cluster", "Arn"),
                                                    "RoleArn": "arn:aws:iam::" + "000000000000" + ":role/events",
                                                    "Input": json.dumps({"containerOverrides": [{"name": "worker", "command": ["report", "--nightly"]}]}),
                                                    "EcsParameters": {"TaskDefinitionArn": ref("WorkerTask6F7A8B9C"), "TaskCount": 1}}]}},
    }
    return {"Description": f"Estate ({env})", "Resources": r}


def main():
    out = os.path.join(HERE, "cdk.out")
    os.makedirs(out, exist_ok=True)
    artifacts = {}
    for env, account, sizes, counts, instances in ENVS:
        name = f"Estate{env.capitalize()}"
        with open(os.path.join(out, f"{name}.template.json"), "w") as f:
            json.dump(stack(env, sizes, counts, instances), f, indent=1, sort_keys=True)
            f.write("\n")
        artifacts[name] = {"type": "aws:cloudformation:stack", "environment": f"aws://{account}/{REGION}",
                           "properties": {"templateFile": f"{name}.template.json", "tags": {"environment": env}},
                           "displayName": name}
    artifacts["Tree"] = {"type": "cdk:tree", "properties": {"file": "tree.json"}}
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"version": "36.0.0", "artifacts": artifacts}, f, indent=1)
        f.write("\n")
    with open(os.path.join(out, "tree.json"), "w") as f:
        json.dump({"version": "tree-0.1", "tree": {"id": "App", "path": ""}}, f)
        f.write("\n")


main()
