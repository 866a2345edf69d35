"""Write a valid handover folder of a chosen size.

    python -m bench.generate OUT --members M --systems S --items-per-template K
    python -m bench.generate OUT --instances 1000000

Four templates, one of each scope and then some: member training,
system documentation, system handover, and member_system knowledge transfer.
Every member receives --systems-per-member systems, round robin.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

STAGES = ["documented", "shadowed", "reverse-shadowed", "independent"]


@dataclass(frozen=True)
class Size:
    members: int
    systems: int
    per_member: int
    items: int

    @property
    def instances(self) -> int:
        return self.items * (self.members + 2 * self.systems + self.members * self.per_member)


def size_for(instances: int) -> Size:
    """Sizes that give about ``instances`` item instances."""
    systems = max(5, min(100, instances // 10_000))
    members = max(7, min(400, instances // 2_500))
    per_member = min(systems, 4)
    per = members + 2 * systems + members * per_member
    return Size(members, systems, per_member, max(1, round(instances / per)))


def _items(n: int, prefix: str, *, stage_every: bool = True, signoff: bool = True) -> str:
    out = []
    for i in range(n):
        stage = STAGES[i % len(STAGES)] if stage_every else None
        lines = [
            "[[items]]",
            f'key = "{prefix}-{i:04d}"',
            f'title = "{prefix.title()} item {i}"',
            f'detail = "Acceptance criterion {i} for {prefix}."',
            f"weight = {1 + i % 3}",
            f'due = "T-{(n - i) % 120 + 1}d"',
        ]
        if stage:
            lines.append(f'stage = "{stage}"')
        if not signoff or i % 5 == 0:
            lines.append("signoff = false")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def write(out: Path, size: Size, name: str = "Benchmark handover") -> Path:
    out.mkdir(parents=True, exist_ok=True)
    systems = [f"sys{j:03d}" for j in range(size.systems)]
    team = [
        "[handover]",
        f'name = "{name}"',
        "target_date = 2027-06-30",
        f"stages = {STAGES!r}".replace("'", '"'),
        "ready_threshold = 1.0",
        "min_ready_per_system = 2",
        "",
    ]
    for i in range(size.members):
        received = [systems[(i + k) % size.systems] for k in range(size.per_member)]
        team += [
            "[[members]]",
            f'handle = "m{i:04d}"',
            f'name = "Member {i}"',
            f'role = "{"lead" if i < max(2, size.members // 20) else "engineer"}"',
            "systems = [" + ", ".join(f'"{s}"' for s in received) + "]",
            "",
        ]
    for j, key in enumerate(systems):
        team += ["[[systems]]", f'key = "{key}"', f'name = "System {j}"', f"tier = {1 + j % 3}", ""]
    (out / "team.toml").write_text("\n".join(team), encoding="utf-8")
    templates = {
        "training": ("training", "member", "train"),
        "system-docs": ("documentation", "system", "doc"),
        "access": ("handover", "system", "access"),
        "system-kt": ("training", "member_system", "kt"),
    }
    for key, (kind, scope, prefix) in templates.items():
        head = f'[template]\nkey = "{key}"\ntitle = "{key}"\nkind = "{kind}"\nscope = "{scope}"\n\n'
        body = _items(size.items, prefix, signoff=kind != "training" or scope != "member")
        (out / f"{key}.toml").write_text(head + body, encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n")[0])
    p.add_argument("out", type=Path)
    p.add_argument("--members", type=int, default=20)
    p.add_argument("--systems", type=int, default=10)
    p.add_argument("--systems-per-member", type=int, default=3)
    p.add_argument("--items-per-template", type=int, default=10)
    p.add_argument("--instances", type=int, help="pick sizes that give about this many instances")
    a = p.parse_args(argv)
    if a.instances:
        size = size_for(a.instances)
    else:
        size = Size(
            a.members, a.systems, min(a.systems, a.systems_per_member), a.items_per_template
        )
    write(a.out, size)
    print(
        f"wrote {a.out}: {size.members} members, {size.systems} systems, "
        f"{size.items} items per template, {size.instances} instances"
    )


if __name__ == "__main__":
    main()
