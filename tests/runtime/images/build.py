"""Builds the runtime tests' images as Docker archives for `ctr images import`, from the
static busybox of Debian's busybox-static package and the small programs beside this file.
Nothing is pulled. Every archive is byte-reproducible (fixed times, owners and order).

usage: build.py BUSYBOX OUT_DIR
"""
import hashlib, io, json, os, sys, tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
APPLETS = ["sh", "sleep", "cat", "echo", "printf", "env", "sort", "sed", "date", "httpd",
           "wget", "nc", "ls", "mkdir", "cp", "rm", "touch", "test", "[", "true", "false",
           "kill", "id", "hostname", "grep", "seq", "tail", "head", "wc", "stat", "nslookup",
           "timeout", "pidof", "ps"]


def tar_bytes(entries):
    """entries: (path, kind, data_or_target, mode)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for path, kind, data, mode in sorted(entries, key=lambda e: e[0]):
            info = tarfile.TarInfo(path)
            info.mtime, info.uid, info.gid, info.mode = 0, 0, 0, mode
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                t.addfile(info)
            elif kind == "link":
                info.type, info.linkname = tarfile.SYMTYPE, data
                t.addfile(info)
            else:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def rootfs(busybox, version):
    read = lambda name: open(os.path.join(HERE, name), "rb").read()
    entries = [(d, "dir", None, 0o755) for d in ["bin", "etc", "www", "www/cgi-bin", "data"]]
    entries += [("tmp", "dir", None, 0o1777)]
    entries.append(("bin/busybox", "file", busybox, 0o755))
    entries += [(f"bin/{a}", "link", "busybox", 0o777) for a in APPLETS]
    entries += [("bin/argv", "file", read("argv"), 0o755), ("bin/web", "file", read("web"), 0o755)]
    entries += [("www/cgi-bin/version", "file", read("version.cgi"), 0o755),
                ("www/cgi-bin/ready", "file", read("ready.cgi"), 0o755)]
    entries.append(("etc/ecsi-version", "file", f"{version}\n".encode(), 0o644))
    entries.append(("etc/passwd", "file", b"root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n", 0o644))
    entries.append(("etc/group", "file", b"root:x:0:\nnobody:x:65534:\n", 0o644))
    return tar_bytes(entries)


def image(name, layer, entrypoint):
    digest = hashlib.sha256(layer).hexdigest()
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Entrypoint": entrypoint, "Env": ["PATH=/bin"], "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": [f"sha256:{digest}"]},
        "history": [{"created_by": "tests/runtime/images/build.py"}],
    }, sort_keys=True).encode()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    manifest = json.dumps([{"Config": config_name, "RepoTags": [name],
                            "Layers": [f"{digest}/layer.tar"]}]).encode()
    return tar_bytes([(f"{digest}", "dir", None, 0o755), (f"{digest}/layer.tar", "file", layer, 0o644),
                      (config_name, "file", config, 0o644), ("manifest.json", "file", manifest, 0o644)])


def main():
    busybox, out = open(sys.argv[1], "rb").read(), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    images = {
        "ecsi-pause": ("1", ["/bin/sleep", "2147483647"]),
        "ecsi-tools": ("1", ["/bin/sh"]),
        "ecsi-web-1": ("1", ["/bin/web"]),
        "ecsi-web-2": ("2", ["/bin/web"]),
    }
    for file, (version, entrypoint) in images.items():
        repo = file.rsplit("-", 1)[0] if file.startswith("ecsi-web") else file
        name = f"localhost/{repo}:{version}"
        data = image(name, rootfs(busybox, version), entrypoint)
        with open(os.path.join(out, f"{file}.tar"), "wb") as f:
            f.write(data)
        print(name)


main()
