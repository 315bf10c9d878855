"""Terraform plans in JSON (``terraform show -json``): recognition, values, references, lines, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from iac_assist.analysis.engine import scan
from iac_assist.inputs.discovery import read_text
from iac_assist.model import Ref, Unknown
from iac_assist.parsers.terraform.plan import load_plan, looks_like_plan
from tests.conftest import SEED, SEED_CONTROLS, findings_of
from tests.test_seed_app import TERRAFORM_INSECURE

PLAN_FIXTURE = Path(__file__).parent / "fixtures" / "terraform-plan" / "seed-app"
"""The insecure seed app's plan, in a folder of its own: lines fall back to the plan file. It lives
outside fixtures/seed-app so that scanning the whole seed app does not analyse the app twice.
Network and static site exist already (no-op, values from state: literal ids), web tier and
database are being created (unknown ids), and an instance removed from the configuration is
deleted."""


def control_resources(path: Path) -> set[tuple[str, str]]:
    return {(c, r) for c, r, _file, _line in findings_of(path) if c in SEED_CONTROLS}


def plan_text(resources: list[dict], *, config: dict | None = None, unknown: dict | None = None,
              actions: dict | None = None, **top) -> str:
    """A minimal plan: ``resources`` as planned_values entries (``module`` puts one in a child
    module), ``config`` the configuration's root module, ``unknown`` after_unknown by address."""
    root: dict = {"resources": []}
    changes = []
    for entry in resources:
        entry = dict(entry)
        module = entry.pop("module", None)
        entry.setdefault("mode", "managed")
        entry.setdefault("provider_name", "registry.terraform.io/hashicorp/aws")
        entry.setdefault("schema_version", 0)
        module_node(root, module)["resources"].append(entry)
        change = {"address": entry["address"], "mode": entry["mode"], "type": entry["type"], "name": entry["name"],
                  "change": {"actions": (actions or {}).get(entry["address"], ["create"]), "before": None,
                             "after": entry.get("values"),
                             "after_unknown": (unknown or {}).get(entry["address"], {})}}
        if module:
            change["module_address"] = module
        changes.append(change)
    plan = {"format_version": "1.2", "terraform_version": "1.7.5", "planned_values": {"root_module": root},
            "resource_changes": changes, "configuration": {"root_module": config or {}}, **top}
    return json.dumps(plan, indent=2)


def module_node(root: dict, address: str | None) -> dict:
    """The planned_values module object of ``address``, nested as Terraform nests them."""
    node = root
    parts = address.split(".module.") if address else []
    for n in range(len(parts)):
        here = ".module.".join(parts[:n + 1])
        children = node.setdefault("child_modules", [])
        found = [c for c in children if c["address"] == here]
        if not found:
            found = [{"resources": [], "address": here}]
            children.append(found[0])
        node = found[0]
    return node


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def loaded(path: Path, root: Path | None = None) -> dict:
    plan = load_plan(path, root or path.parent, read_text)
    assert not plan.errors, [str(e) for e in plan.errors]
    return {r.address: r for r in plan.resources}


def refs(*addresses: str) -> dict:
    return {"references": list(addresses)}


# --- the seed app ---------------------------------------------------------------------------


def test_seed_plan_finds_what_the_terraform_sources_find():
    assert control_resources(PLAN_FIXTURE) == control_resources(SEED / "terraform" / "insecure")
    assert {(c, r) for c, r, *_ in TERRAFORM_INSECURE if c in SEED_CONTROLS} == control_resources(PLAN_FIXTURE)


def test_seed_plan_finds_the_same_controls_beyond_the_seed_ones():
    """Every policy, not only the seed controls: sensitive values the plan holds in clear (the
    database password, given at plan time) are not taken for literals of the repository."""
    plan = {(c, r) for c, r, *_ in findings_of(PLAN_FIXTURE)}
    sources = {(c, r) for c, r, *_ in findings_of(SEED / "terraform" / "insecure")}
    assert plan == sources


def test_without_sources_findings_point_into_the_plan_file():
    lines = (PLAN_FIXTURE / "plan.json").read_text(encoding="utf-8").splitlines()
    found = {(c, r): line for c, r, file, line in findings_of(PLAN_FIXTURE) if c in SEED_CONTROLS}
    assert all(file == "plan.json" for _c, _r, file, _l in findings_of(PLAN_FIXTURE))
    assert '"protocol": "HTTP"' in lines[found[("lb-listener-plaintext", "aws_lb_listener.http")] - 1]
    assert '"publicly_accessible": true' in lines[
        found[("db-publicly-accessible", "module.database.aws_db_instance.this")] - 1]
    assert '"subnet_ids"' in lines[found[("db-in-public-subnet", "module.database.aws_db_instance.this")] - 1]
    # A finding on the resource itself points at its address in planned_values.
    assert '"address": "aws_s3_bucket.site"' in lines[
        found[("s3-public-access-block-missing", "aws_s3_bucket.site")] - 1]


def test_with_sources_next_to_it_findings_point_at_the_tf_lines(tmp_path):
    """The plan supersedes the evaluation of the root module beside it: the .tf files only give
    lines, and nothing is reported twice."""
    app = tmp_path / "app"
    shutil.copytree(SEED / "terraform" / "insecure", app)
    shutil.copy(PLAN_FIXTURE / "plan.json", app / "plan.json")
    result = scan([app])
    assert not result.has_errors, [str(e) for e in result.errors]
    found = {(f.control, f.resource, f.loc.file, f.loc.line) for f in result.findings if f.control in SEED_CONTROLS}
    # The ACL's grants as the provider reports them for the existing bucket (AllUsers READ, from
    # the canned ACL) are a second cause, at the ACL's block: no line in the source for them.
    expected = {f for f in TERRAFORM_INSECURE if f[0] in SEED_CONTROLS}
    assert found - expected == {("s3-public-read", "aws_s3_bucket.site", "static.tf", 27)}
    assert found >= expected
    assert all(f.loc.file.endswith(".tf") for f in result.findings)
    assert sum(f.control == "lb-listener-plaintext" for f in result.findings) == 1
    assert "plan.json" in result.files and "modules/database/main.tf" in result.files


def test_deleted_instances_are_not_analysed():
    """The fixture deletes aws_db_instance.legacy (publicly accessible): it is in prior_state and
    resource_changes only, and nothing is said about it."""
    assert not [f for f in findings_of(PLAN_FIXTURE) if "legacy" in f[1]]


def test_module_addresses_and_references_through_module_calls():
    resources = loaded(PLAN_FIXTURE / "plan.json")
    db = resources["module.database.aws_db_instance.this"]
    assert db.get("vpc_security_group_ids") == [Ref("module.database.aws_security_group.this", "id")]
    assert db.get("db_subnet_group_name") == Ref("module.database.aws_db_subnet_group.this", "name",
                                                 "seed-app-dev-db")
    # var.subnet_ids ← the caller's aws_subnet.public: literal ids of existing subnets.
    assert resources["module.database.aws_db_subnet_group.this"].get("subnet_ids") == [
        Ref("aws_subnet.public[0]", "id", "subnet-0aa11bb22cc33dd01"),
        Ref("aws_subnet.public[1]", "id", "subnet-0aa11bb22cc33dd02"),
    ]
    rule = resources["module.database.aws_security_group_rule.from_app"]
    assert rule.get("source_security_group_id") == Ref("aws_security_group.web", "id")
    assert "aws_subnet.public[1]" in resources and "aws_instance.web[0]" in resources
    assert not any(address.startswith("data.") for address in resources)


# --- recognition and errors -----------------------------------------------------------------


def test_recognised_by_content_not_by_name(tmp_path):
    text = plan_text([{"address": "aws_db_instance.db", "type": "aws_db_instance", "name": "db",
                       "values": {"publicly_accessible": True}}])
    write(tmp_path, "whatever-it-is-called.json", text)
    write(tmp_path, "package.json", json.dumps({"name": "site", "version": "1.0.0"}))
    write(tmp_path, "state.json", json.dumps({"format_version": "1.0", "terraform_version": "1.7.5",
                                              "values": {"root_module": {}}}))
    result = scan([tmp_path])
    assert not result.errors
    assert [(f.control, f.resource, f.loc.file) for f in result.findings if f.control in SEED_CONTROLS] == [
        ("db-publicly-accessible", "aws_db_instance.db", "whatever-it-is-called.json")]
    # A state is recognised too (tests/test_terraform_state.py); this empty one finds nothing.
    assert result.files == ["state.json", "whatever-it-is-called.json"]


def test_looks_like_plan():
    assert looks_like_plan('{\n  "format_version": "1.2",\n  "planned_values": {}\n}')
    assert looks_like_plan('\ufeff{"resource_changes": [], "format_version": "1.0"}')
    assert not looks_like_plan('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}')
    assert not looks_like_plan('{"format_version": "1.0", "values": {}}')  # a state, not a plan
    assert not looks_like_plan('format_version: "1.2"\nplanned_values: {}\n')


def test_invalid_json_is_an_error_with_its_line(tmp_path):
    text = '{\n  "format_version": "1.2",\n  "planned_values": {\n    "root_module": {,}\n  }\n}\n'
    write(tmp_path, "plan.json", text)
    result = scan([tmp_path])
    assert [(e.file, e.line, e.level) for e in result.errors] == [("plan.json", 4, "error")]
    assert "invalid JSON" in result.errors[0].message and result.errors[0].column > 0
    assert result.has_errors


def test_unsupported_format_version_is_an_error(tmp_path):
    text = plan_text([{"address": "aws_db_instance.db", "type": "aws_db_instance", "name": "db",
                       "values": {"publicly_accessible": True}}])
    write(tmp_path, "plan.json", text.replace('"format_version": "1.2"', '"format_version": "2.0"'))
    result = scan([tmp_path])
    assert [(e.file, e.line, e.level) for e in result.errors] == [("plan.json", 2, "error")]
    assert "'2.0'" in result.errors[0].message
    assert not result.findings


def test_an_older_format_version_is_read(tmp_path):
    text = plan_text([{"address": "aws_db_instance.db", "type": "aws_db_instance", "name": "db",
                       "values": {"publicly_accessible": True}}])
    write(tmp_path, "plan.json", text.replace('"format_version": "1.2"', '"format_version": "0.2"'))
    assert control_resources(tmp_path) == {("db-publicly-accessible", "aws_db_instance.db")}


# --- values ---------------------------------------------------------------------------------


def test_unknown_values_give_no_definite_findings(tmp_path):
    """after_unknown marks become Unknown: neither public nor private, so nothing is reported."""
    resources = [
        {"address": "aws_db_instance.db", "type": "aws_db_instance", "name": "db",
         "values": {"engine": "postgres"}},
        {"address": "aws_s3_bucket.b", "type": "aws_s3_bucket", "name": "b", "values": {"bucket": "b"}},
        {"address": "aws_s3_bucket_acl.b", "type": "aws_s3_bucket_acl", "name": "b", "values": {"bucket": "b"}},
        {"address": "aws_s3_bucket_public_access_block.b", "type": "aws_s3_bucket_public_access_block",
         "name": "b", "values": {"bucket": "b"}},
    ]
    unknown = {"aws_db_instance.db": {"publicly_accessible": True, "id": True},
               "aws_s3_bucket_acl.b": {"acl": True},
               "aws_s3_bucket_public_access_block.b": {key: True for key in (
                   "block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")}}
    path = write(tmp_path, "plan.json", plan_text(resources, unknown=unknown))
    assert isinstance(loaded(path)["aws_db_instance.db"].get("publicly_accessible"), Unknown)
    assert control_resources(tmp_path) == set()
    # The same plan with the values known is reported: the test above tests something.
    known = plan_text([{**r, "values": {**r["values"], "publicly_accessible": True, "acl": "public-read"}}
                       for r in resources])
    write(tmp_path, "plan.json", known)
    assert {c for c, _r in control_resources(tmp_path)} >= {"db-publicly-accessible", "s3-public-read"}


def test_deleted_and_forgotten_instances_and_data_sources_are_not_analysed(tmp_path):
    public = {"publicly_accessible": True}
    resources = [
        {"address": "aws_db_instance.gone", "type": "aws_db_instance", "name": "gone", "values": public},
        {"address": "aws_db_instance.forgotten", "type": "aws_db_instance", "name": "forgotten", "values": public},
        {"address": "aws_db_instance.replaced", "type": "aws_db_instance", "name": "replaced", "values": public},
        {"address": "data.aws_db_instance.read", "mode": "data", "type": "aws_db_instance", "name": "read",
         "values": public},
    ]
    actions = {"aws_db_instance.gone": ["delete"], "aws_db_instance.forgotten": ["forget"],
               "aws_db_instance.replaced": ["delete", "create"], "data.aws_db_instance.read": ["read"]}
    write(tmp_path, "plan.json", plan_text(resources, actions=actions))
    assert {r for _c, r, *_ in findings_of(tmp_path)} == {"aws_db_instance.replaced"}


def test_nested_blocks_are_shaped_as_the_evaluator_shapes_them(tmp_path):
    values = {"load_balancer_arn": "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/x/1",
              "port": 80, "protocol": "HTTP", "certificate_arn": None,
              "default_action": [{"type": "redirect", "target_group_arn": None, "order": None,
                                  "redirect": [{"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}]}]}
    unknown = {"aws_lb_listener.http": {"default_action": [{"order": True}]}}
    path = write(tmp_path, "plan.json", plan_text([{"address": "aws_lb_listener.http", "type": "aws_lb_listener",
                                                    "name": "http", "values": values}], unknown=unknown))
    listener = loaded(path)["aws_lb_listener.http"]
    assert listener.blocks("default_action")[0][1]["redirect"] == [{"protocol": "HTTPS", "port": "443",
                                                                    "status_code": "HTTP_301"}]
    assert isinstance(listener.get("default_action", 0, "order"), Unknown)
    assert not listener.has("certificate_arn")  # null: not set, as in an evaluated body
    assert control_resources(tmp_path) == set()  # redirects to HTTPS


def test_references_let_satellites_of_new_resources_find_their_owner(tmp_path):
    """A bucket being created has no id yet: the configuration's references say whose it is."""
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}]})
    resources = [
        {"address": "aws_s3_bucket.b", "type": "aws_s3_bucket", "name": "b", "values": {"force_destroy": False}},
        {"address": "aws_s3_bucket_policy.b", "type": "aws_s3_bucket_policy", "name": "b",
         "values": {"policy": policy}},
    ]
    unknown = {"aws_s3_bucket.b": {"id": True, "bucket": True, "arn": True},
               "aws_s3_bucket_policy.b": {"bucket": True, "id": True}}
    config = {"resources": [{"address": "aws_s3_bucket_policy.b", "mode": "managed", "type": "aws_s3_bucket_policy",
                             "name": "b", "expressions": {"bucket": refs("aws_s3_bucket.b.id", "aws_s3_bucket.b"),
                                                          "policy": {"constant_value": policy}}}]}
    path = write(tmp_path, "plan.json", plan_text(resources, config=config, unknown=unknown))
    assert loaded(path)["aws_s3_bucket_policy.b"].get("bucket") == Ref("aws_s3_bucket.b", "id")
    assert ("s3-public-write", "aws_s3_bucket.b") in {(c, r) for c, r, *_ in findings_of(tmp_path)}


def test_count_index_pairs_instances_and_splats_keep_their_order(tmp_path):
    subnets = [{"address": f"aws_subnet.s[{i}]", "type": "aws_subnet", "name": "s", "index": i,
                "values": {"cidr_block": f"10.0.{i}.0/24"}} for i in range(3)]
    resources = subnets + [
        {"address": f"aws_route_table_association.a[{i}]", "type": "aws_route_table_association", "name": "a",
         "index": i, "values": {}} for i in range(3)
    ] + [{"address": "aws_db_subnet_group.g", "type": "aws_db_subnet_group", "name": "g",
          "values": {"name": "g", "subnet_ids": [None, None, None]}}]
    unknown = {f"aws_route_table_association.a[{i}]": {"subnet_id": True} for i in range(3)}
    unknown["aws_db_subnet_group.g"] = {"subnet_ids": [True, True, True]}
    config = {"resources": [
        {"address": "aws_route_table_association.a", "mode": "managed", "type": "aws_route_table_association",
         "name": "a", "expressions": {"subnet_id": refs("aws_subnet.s", "count.index")}},
        {"address": "aws_db_subnet_group.g", "mode": "managed", "type": "aws_db_subnet_group", "name": "g",
         "expressions": {"subnet_ids": refs("aws_subnet.s")}},
    ]}
    found = loaded(write(tmp_path, "plan.json", plan_text(resources, config=config, unknown=unknown)))
    assert found["aws_route_table_association.a[2]"].get("subnet_id") == Ref("aws_subnet.s[2]")
    assert found["aws_db_subnet_group.g"].get("subnet_ids") == [Ref(f"aws_subnet.s[{i}]") for i in range(3)]


def test_an_ambiguous_unknown_keeps_its_references(tmp_path):
    """Several instances could be meant: no owner is guessed, the graph still gets the edges."""
    resources = [{"address": f"aws_security_group.g[{i}]", "type": "aws_security_group", "name": "g", "index": i,
                  "values": {"name": f"g{i}"}} for i in range(2)]
    resources.append({"address": "aws_instance.i", "type": "aws_instance", "name": "i", "values": {}})
    config = {"resources": [{"address": "aws_instance.i", "mode": "managed", "type": "aws_instance", "name": "i",
                             "expressions": {"subnet_id": refs("aws_security_group.g", "var.which")}}]}
    path = write(tmp_path, "plan.json", plan_text(resources, config=config,
                                                  unknown={"aws_instance.i": {"subnet_id": True}}))
    value = loaded(path)["aws_instance.i"].get("subnet_id")
    assert isinstance(value, Unknown) and {r.address for r in value.refs} == {
        "aws_security_group.g[0]", "aws_security_group.g[1]"}


def test_module_instances_nested_modules_and_outputs(tmp_path):
    """Addresses exactly as Terraform writes them; var.x is the argument of the caller's instance
    (count.index pairs module instances), module.x.y the child's output."""
    resources = [
        {"address": f"aws_security_group.g[{i}]", "type": "aws_security_group", "name": "g", "index": i,
         "values": {"name": f"g{i}"}} for i in range(2)
    ] + [
        {"address": f"module.db[{i}].aws_db_instance.this", "module": f"module.db[{i}]", "type": "aws_db_instance",
         "name": "this", "values": {"publicly_accessible": False, "vpc_security_group_ids": [None]}} for i in range(2)
    ] + [
        {"address": 'module.site["logs"].module.bucket.aws_s3_bucket.b["x"]', "module":
         'module.site["logs"].module.bucket', "type": "aws_s3_bucket", "name": "b", "index": "x",
         "values": {"bucket": "logs-x", "id": "logs-x"}},
        {"address": "aws_s3_bucket_acl.logs", "type": "aws_s3_bucket_acl", "name": "logs",
         "values": {"acl": "private", "bucket": "logs-x"}},
    ]
    unknown = {f"module.db[{i}].aws_db_instance.this": {"vpc_security_group_ids": [True]} for i in range(2)}
    db_module = {"resources": [{"address": "aws_db_instance.this", "mode": "managed", "type": "aws_db_instance",
                                "name": "this", "expressions": {"vpc_security_group_ids": refs("var.sg")}}],
                 "variables": {"sg": {}}}
    bucket_module = {"outputs": {"id": {"expression": refs('aws_s3_bucket.b["x"].id', 'aws_s3_bucket.b["x"]',
                                                           "aws_s3_bucket.b")}}}
    site_module = {"module_calls": {"bucket": {"source": "./bucket", "module": bucket_module}},
                   "outputs": {"bucket_id": {"expression": refs("module.bucket.id", "module.bucket")}}}
    config = {
        "resources": [{"address": "aws_s3_bucket_acl.logs", "mode": "managed", "type": "aws_s3_bucket_acl",
                       "name": "logs", "expressions": {"bucket": refs('module.site["logs"].bucket_id',
                                                                      'module.site["logs"]', "module.site")}}],
        "module_calls": {
            "db": {"source": "./db", "count_expression": refs("var.n"), "module": db_module,
                   "expressions": {"sg": refs("aws_security_group.g", "count.index")}},
            "site": {"source": "terraform-aws-modules/s3-bucket/aws", "module": site_module,
                     "for_each_expression": refs("var.sites")},
        },
    }
    found = loaded(write(tmp_path, "plan.json", plan_text(resources, config=config, unknown=unknown)))
    assert found["module.db[1].aws_db_instance.this"].get("vpc_security_group_ids") == [
        Ref("aws_security_group.g[1]")]
    assert found["aws_s3_bucket_acl.logs"].get("bucket") == Ref(
        'module.site["logs"].module.bucket.aws_s3_bucket.b["x"]', "id", "logs-x")
    assert found['module.site["logs"].module.bucket.aws_s3_bucket.b["x"]'].type == "aws_s3_bucket"


def test_sensitive_values_count_as_literals_only_when_the_configuration_fixes_them(tmp_path):
    resources = [
        {"address": f"aws_db_instance.{name}", "type": "aws_db_instance", "name": name,
         "values": {"password": "Sup3r-Secret-Value", "username": "admin"}, "sensitive_values": {"password": True}}
        for name in ("given", "literal", "defaulted")
    ]

    def db(name: str, password: dict) -> dict:
        return {"address": f"aws_db_instance.{name}", "mode": "managed", "type": "aws_db_instance", "name": name,
                "expressions": {"password": password}}

    config = {"resources": [db("given", refs("var.given")), db("literal", {"constant_value": "Sup3r-Secret-Value"}),
                            db("defaulted", refs("var.defaulted"))],
              "variables": {"given": {"sensitive": True}, "defaulted": {"default": "Sup3r-Secret-Value"}}}
    variables = {"given": {"value": "Sup3r-Secret-Value"}, "defaulted": {"value": "Sup3r-Secret-Value"}}
    write(tmp_path, "plan.json", plan_text(resources, config=config, variables=variables))
    found = {r for c, r, *_ in findings_of(tmp_path) if c == "hardcoded-secret"}
    assert found == {"aws_db_instance.literal", "aws_db_instance.defaulted"}


# --- lines ----------------------------------------------------------------------------------


def test_a_plan_on_one_line_is_located_by_column(tmp_path):
    """``terraform show -json`` writes a single line."""
    text = json.dumps(json.loads((PLAN_FIXTURE / "plan.json").read_text(encoding="utf-8")), separators=(",", ":"))
    path = write(tmp_path, "plan.json", text)
    listener = loaded(path)["aws_lb_listener.http"]
    at = listener.at("protocol")
    assert (at.file, at.line) == ("plan.json", 1)
    assert text[at.column - 1:].startswith('"protocol":"HTTP"')
    assert control_resources(tmp_path) == control_resources(PLAN_FIXTURE)


def test_blocks_are_matched_with_the_written_ones_and_modules_followed(write_tree):
    root = write_tree({
        "live/main.tf": (
            'resource "aws_security_group" "web" {\n'
            '  name = "web"\n'
            "  ingress {\n"
            "    from_port   = 22\n"
            "    to_port     = 22\n"
            '    protocol    = "tcp"\n'
            '    cidr_blocks = ["10.0.0.0/8"]\n'
            "  }\n"
            "  ingress {\n"
            "    from_port   = 443\n"
            "    to_port     = 443\n"
            '    protocol    = "tcp"\n'
            '    cidr_blocks = ["0.0.0.0/0"]\n'
            "  }\n"
            "}\n"
            'module "db" {\n'
            '  source = "./db"\n'
            "}\n"
        ),
        "live/db/main.tf": ('resource "aws_db_instance" "this" {\n  engine = "postgres"\n\n'
                            "  publicly_accessible = true\n}\n"),
        "unrelated/main.tf": "this is not HCL {\n",  # not the plan's: never read
    })

    def rule(port: int, cidr: str) -> dict:
        return {"from_port": port, "to_port": port, "protocol": "tcp", "cidr_blocks": [cidr], "description": "",
                "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": False}

    # The provider returns the set of rules in its own order.
    resources = [{"address": "aws_security_group.web", "type": "aws_security_group", "name": "web",
                  "values": {"name": "web", "ingress": [rule(443, "0.0.0.0/0"), rule(22, "10.0.0.0/8")]}},
                 {"address": "module.db.aws_db_instance.this", "module": "module.db", "type": "aws_db_instance",
                  "name": "this", "values": {"engine": "postgres", "publicly_accessible": True}}]
    config = {"module_calls": {"db": {"source": "./db", "module": {}}}}
    path = write(root / "live", "plan.json", plan_text(resources, config=config))
    found = loaded(path, root)
    group = found["aws_security_group.web"]
    assert (group.loc.file, group.loc.line) == ("live/main.tf", 1)
    assert group.at("ingress", 0).line == 9 and group.at("ingress", 0, "cidr_blocks").line == 13
    assert group.at("ingress", 1).line == 3
    assert group.at("ingress", 0, "self") == group.at("ingress", 0)  # not written: its block
    db = found["module.db.aws_db_instance.this"]
    assert (db.at("publicly_accessible").file, db.at("publicly_accessible").line) == ("live/db/main.tf", 4)


def test_module_sources_outside_the_scanned_root_are_not_read(write_tree):
    root = write_tree({
        "outside/db/main.tf": 'resource "aws_db_instance" "this" {\n  publicly_accessible = true\n}\n',
        "scanned/main.tf": 'module "db" {\n  source = "../outside/db"\n}\n',
    })
    resources = [{"address": "module.db.aws_db_instance.this", "module": "module.db", "type": "aws_db_instance",
                  "name": "this", "values": {"publicly_accessible": True}}]
    config = {"module_calls": {"db": {"source": "../outside/db", "module": {}}}}
    write(root / "scanned", "plan.json", plan_text(resources, config=config))
    result = scan([root / "scanned"])
    assert not result.errors
    assert {(f.control, f.loc.file) for f in result.findings if f.control in SEED_CONTROLS} == {
        ("db-publicly-accessible", "plan.json")}
    assert result.files == ["main.tf", "plan.json"]


def test_superseded_sources_are_still_parsed(write_tree):
    """The .tf files beside a plan are not evaluated, but a syntax error in them is reported."""
    root = write_tree({"main.tf": 'resource "aws_db_instance" "db" {\n  publicly_accessible = var.public\n}\n',
                       "variables.tf": 'variable "public" {\n  default = \n}\n'})
    write(root, "plan.json", plan_text([{"address": "aws_db_instance.db", "type": "aws_db_instance", "name": "db",
                                         "values": {"publicly_accessible": True}}]))
    result = scan([root])
    assert [(e.file, e.line, e.level) for e in result.errors] == [("variables.tf", 2, "error")]
    assert {(f.control, f.loc.file) for f in result.findings if f.control in SEED_CONTROLS} == {
        ("db-publicly-accessible", "main.tf")}


def test_an_unreadable_plan_does_not_supersede_the_sources_beside_it(write_tree):
    root = write_tree({"main.tf": 'resource "aws_db_instance" "db" {\n  publicly_accessible = true\n}\n',
                       "plan.json": '{"format_version": "1.2", "planned_values": {\n'})
    result = scan([root])
    assert [(e.file, e.line) for e in result.errors] == [("plan.json", 2)]
    assert {(f.control, f.loc.file, f.loc.line) for f in result.findings if f.control in SEED_CONTROLS} == {
        ("db-publicly-accessible", "main.tf", 2)}


# --- a plan found in the repository is used only when it matches the code -------------------

INSECURE_BUCKET = (
    'resource "aws_s3_bucket" "data" {\n'
    '  bucket = "customer-data"\n'
    "}\n"
    "\n"
    'resource "aws_s3_bucket_acl" "data" {\n'
    "  bucket = aws_s3_bucket.data.id\n"
    '  acl    = "public-read"\n'
    "}\n"
)
HARMLESS_PLAN = plan_text([{"address": "aws_s3_bucket.quiet", "type": "aws_s3_bucket", "name": "quiet",
                            "values": {"bucket": "quiet"}}],
                          config={"resources": [{"address": "aws_s3_bucket.quiet", "mode": "managed",
                                                 "type": "aws_s3_bucket", "name": "quiet"}]})


def test_a_plan_that_does_not_match_the_code_beside_it_does_not_hide_it(write_tree):
    """A fake plan of a harmless bucket, found in the folder, replaced the insecure main.tf:
    exit 0 and no findings. It is not used: the code is analysed, the plan named in a warning."""
    from click.testing import CliRunner

    from iac_assist.cli import cli

    root = write_tree({"main.tf": INSECURE_BUCKET, "plan.json": HARMLESS_PLAN})
    result = scan([root])
    assert ("s3-public-read", "aws_s3_bucket.data", "main.tf", 7) in {
        (f.control, f.resource, f.loc.file, f.loc.line) for f in result.findings}
    assert not [f for f in result.findings if f.resource == "aws_s3_bucket.quiet"]
    assert [(e.file, e.line, e.level, e.category) for e in result.errors] == [
        ("plan.json", 1, "warning", "plan-not-used")]
    assert "main.tf declares" not in result.errors[0].message  # the folder is named as it is
    assert "aws_s3_bucket.data" in result.errors[0].message
    cli = CliRunner().invoke(cli, ["scan", str(root), "--format", "json"], catch_exceptions=False)
    assert cli.exit_code == 1, cli.output
    report = json.loads(cli.output)
    assert {(f["control"], f["file"], f["line"]) for f in report["findings"]} >= {("s3-public-read", "main.tf", 7)}
    assert [(e["file"], e["level"]) for e in report["errors"]] == [("plan.json", "warning")]


def test_a_plan_claiming_a_module_folder_it_does_not_match_does_not_hide_it(write_tree):
    """The folders a plan names through module calls are not superseded unless they match."""
    root = write_tree({"storage/main.tf": INSECURE_BUCKET})
    config = {"module_calls": {"s": {"source": "./storage", "module": {"resources": [
        {"address": "aws_s3_bucket.quiet", "mode": "managed", "type": "aws_s3_bucket", "name": "quiet"}]}}}}
    write(root, "plan.json", plan_text([{"address": "module.s.aws_s3_bucket.quiet", "module": "module.s",
                                         "type": "aws_s3_bucket", "name": "quiet", "values": {"bucket": "q"}}],
                                       config=config))
    result = scan([root])
    assert ("s3-public-read", "aws_s3_bucket.data", "storage/main.tf", 7) in {
        (f.control, f.resource, f.loc.file, f.loc.line) for f in result.findings}
    assert [(e.file, e.category) for e in result.errors] == [("plan.json", "plan-not-used")]


def test_a_plan_named_on_the_command_line_is_used(write_tree):
    """Named by the user, the plan is what they want checked: it replaces the code beside it."""
    root = write_tree({"main.tf": INSECURE_BUCKET, "plan.json": HARMLESS_PLAN})
    result = scan([root / "plan.json"])
    assert not result.errors
    assert not [f for f in result.findings if f.resource == "aws_s3_bucket.data"]
    assert {f.resource for f in result.findings} == {"aws_s3_bucket.quiet"}


def test_a_plan_matching_the_code_beside_it_is_used(write_tree):
    """Same resources, planned values: the plan's values are checked, at the .tf lines."""
    root = write_tree({"main.tf": INSECURE_BUCKET.replace('"public-read"', "var.acl") +
                       'variable "acl" {\n  type = string\n}\n'})
    resources = [{"address": "aws_s3_bucket.data", "type": "aws_s3_bucket", "name": "data",
                  "values": {"bucket": "customer-data", "id": "customer-data"}},
                 {"address": "aws_s3_bucket_acl.data", "type": "aws_s3_bucket_acl", "name": "data",
                  "values": {"acl": "public-read", "bucket": "customer-data"}}]
    config = {"resources": [{"address": r["address"], "mode": "managed", "type": r["type"], "name": r["name"]}
                            for r in resources]}
    write(root, "plan.json", plan_text(resources, config=config))
    result = scan([root])
    assert not result.errors, [str(e) for e in result.errors]
    assert ("s3-public-read", "aws_s3_bucket.data", "main.tf", 7) in {
        (f.control, f.resource, f.loc.file, f.loc.line) for f in result.findings}
    # Without the plan, the acl is unknown: no definite finding.
    (root / "plan.json").unlink()
    assert not [f for f in scan([root]).findings if f.control == "s3-public-read"]
