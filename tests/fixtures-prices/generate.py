#!/usr/bin/env python3
"""Writes the suite's price files in the shapes AWS prints them: get-products output for
eu-west-1 (each PriceList entry a JSON document in a string) and a bulk offer file. The prices
are made up, and differ from the bundled table, so a test can tell which were used. Run it again
after changing it (python3 tests/fixtures-prices/generate.py) and commit the result."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
REGION = "eu-west-1"


def product(sku, service, family, attributes, usd, unit="Hrs"):
    attributes = dict(attributes, servicecode=service, regionCode=REGION, location="EU (Ireland)")
    return {
        "product": {"productFamily": family, "attributes": attributes, "sku": sku},
        "serviceCode": service,
        "terms": {"OnDemand": {f"{sku}.JRTCKXETXF": {
            "offerTermCode": "JRTCKXETXF", "sku": sku, "effectiveDate": "2026-11-01T00:00:00Z",
            "priceDimensions": {f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
                "unit": unit, "description": f"{usd} per {unit}", "pricePerUnit": {"USD": str(usd)},
                "beginRange": "0", "endRange": "Inf", "rateCode": f"{sku}.JRTCKXETXF.6YS6EN2CT7"}}}}},
        "version": "20261101000000", "publicationDate": "2026-11-01T00:00:00Z",
    }


def ec2(sku, instance_type, vcpu, memory, usd, os_name="Linux"):
    return product(sku, "AmazonEC2", "Compute Instance", {
        "instanceType": instance_type, "vcpu": str(vcpu), "memory": f"{memory} GiB",
        "operatingSystem": os_name, "tenancy": "Shared", "preInstalledSw": "NA",
        "capacitystatus": "Used", "usagetype": f"EU-BoxUsage:{instance_type}"}, usd)


ITEMS = [
    ec2("SKU1", "m6i.large", 2, 8, 0.11),
    ec2("SKU2", "m5.large", 2, 8, 0.105),
    ec2("SKU3", "m5a.large", 2, 8, 0.097),
    ec2("SKU4", "r6i.large", 2, 16, 0.15),
    # Read past: another operating system, and a reserved-capacity row.
    ec2("SKU5", "m5a.large", 2, 8, 0.5, os_name="Windows"),
    product("SKU6", "AmazonEKS", "Compute", {"usagetype": "EU-Fargate-vCPU-Hours:perCPU"}, 0.05),
    product("SKU7", "AmazonEKS", "Compute", {"usagetype": "EU-Fargate-GB-Hours"}, 0.005),
    product("SKU8", "AmazonEKS", "Compute", {"usagetype": "EU-AmazonEKS-Hours:perCluster"}, 0.1),
    product("SKU9", "AmazonEKS", "Compute", {"usagetype": "EU-AmazonEKS-Hours:extendedSupport"}, 0.6),
    product("SKU10", "AmazonECS", "Compute", {"usagetype": "EU-SpotUsage-Fargate-vCPU-Hours:perCPU"}, 0.01),
    product("SKU11", "AWSELB", "Load Balancer-Application", {"usagetype": "EU-LoadBalancerUsage"}, 0.03),
    product("SKU12", "AWSELB", "Load Balancer-Network", {"usagetype": "EU-LoadBalancerUsage"}, 0.028),
    product("SKU13", "AWSELB", "Load Balancer-Application", {"usagetype": "EU-LCUUsage"}, 0.008, unit="LCU-Hrs"),
]


def main():
    with open(os.path.join(HERE, "get-products-eu-west-1.json"), "w") as f:
        json.dump({"FormatVersion": "aws_v1", "PriceList": [json.dumps(i) for i in ITEMS]}, f, indent=1)
        f.write("\n")
    offer = {"formatVersion": "v1.0", "offerCode": "AmazonEC2", "products": {}, "terms": {"OnDemand": {}}}
    for item in ITEMS[:4]:
        sku = item["product"]["sku"]
        offer["products"][sku] = item["product"]
        offer["terms"]["OnDemand"][sku] = item["terms"]["OnDemand"]
    with open(os.path.join(HERE, "offer-ec2-eu-west-1.json"), "w") as f:
        json.dump(offer, f, indent=1, sort_keys=True)
        f.write("\n")


main()
