"""The `jingwu` command: demo, serve, db upgrade, user add."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from jingwu.core.config import Settings
from jingwu.core.db import Database
from jingwu.identity import service as identity_service
from jingwu.identity.roles import Role
from jingwu.migrations import upgrade

app = typer.Typer(help="jingwu 警务 — 两队一室 station software", no_args_is_help=True)
db_app = typer.Typer(help="database: migrations", no_args_is_help=True)
user_app = typer.Typer(help="accounts", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from exc


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration (SQLite file or PostgreSQL, from JINGWU_DATABASE_URL)."""
    settings = _settings()
    upgrade(settings.database_url)
    typer.echo(f"✓ database at the newest schema: {settings.database_url.split('@')[-1]}")


@user_app.command("add")
def user_add(
    username: str,
    display_name: Annotated[str, typer.Option("--name", help="显示名")],
    role: Annotated[Role, typer.Option(help="role")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Create an account."""
    settings = _settings()
    database = Database(settings.database_url)
    try:
        with database.session() as session:
            officer = identity_service.create_officer(
                session, username=username, display_name=display_name, role=role, password=password
            )
            typer.echo(f"✓ {officer.username} ({role.value}) id={officer.id}")
    except Exception as exc:
        typer.secho(f"✗ {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    finally:
        database.dispose()


audit_app = typer.Typer(help="the audit log", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the audit log's hash chain; exit 1 if any row was altered or removed."""
    from jingwu.identity import audit

    settings = _settings()
    database = Database(settings.database_url)
    try:
        with database.session(write=False) as session:
            intact, checked, broken = audit.verify(session)
    finally:
        database.dispose()
    if not intact:
        typer.secho(
            f"✗ audit chain broken at row {broken} (after {checked} good rows)", fg=typer.colors.RED
        )
        raise typer.Exit(1)
    typer.echo(f"✓ audit chain intact: {checked} rows")


@app.command("backup")
def backup_command(
    target: Annotated[Path, typer.Argument(help="file to write (.jsonl.gz)")],
) -> None:
    """Back up the whole station (any database) to one portable file."""
    from jingwu.migrations.backup import backup

    settings = _settings()
    database = Database(settings.database_url)
    try:
        counts = backup(database, target)
    finally:
        database.dispose()
    typer.echo(f"✓ {sum(counts.values())} rows from {len(counts)} tables → {target}")


@app.command("restore")
def restore_command(
    source: Annotated[Path, typer.Argument(help="a file made by `jingwu backup`")],
) -> None:
    """Restore a backup into an empty database (migrated first); all or nothing."""
    from jingwu.core.errors import AppError
    from jingwu.migrations.backup import restore

    if not source.exists():
        typer.secho(f"✗ no such file: {source}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    settings = _settings()
    upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        counts = restore(database, source)
    except AppError as exc:
        typer.secho(f"✗ {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    finally:
        database.dispose()
    typer.echo(f"✓ restored {sum(counts.values())} rows into {len(counts)} tables")


@app.command("report")
def report_command(
    kind: Annotated[str, typer.Argument(help="day | week | month")] = "day",
    on: Annotated[str | None, typer.Option(help="any date of the period (YYYY-MM-DD)")] = None,
    out: Annotated[Path, typer.Option(help="folder for the PDF and XLSX")] = Path("var/reports"),
    due: Annotated[bool, typer.Option(help="generate every review that is due (for cron)")] = False,
) -> None:
    """每日复盘/每周分析/每月总结: generate, keep and write the review as PDF and XLSX."""
    from datetime import date

    from jingwu.analytics import jobs
    from jingwu.analytics.periods import PeriodKind

    settings = _settings()
    upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        if due:
            made = jobs.generate_due(database)
            typer.echo("✓ " + ("; ".join(made) if made else "nothing due"))
            return
        if kind not in ("day", "week", "month"):
            typer.secho("✗ kind is day, week or month", fg=typer.colors.RED, err=True)
            raise typer.Exit(2)
        anchor = date.fromisoformat(on) if on else None
        review = jobs.report(database, kind=PeriodKind(kind), on=anchor)
        for path in jobs.write_files(review, out, ("pdf", "xlsx")):
            typer.echo(f"✓ {path}")
        for line in review.highlights:
            typer.echo(f"  {line}")
    except ValueError as exc:
        typer.secho(f"✗ {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from exc
    finally:
        database.dispose()


@app.command("import-osm")
def import_osm(
    path: Annotated[Path, typer.Argument(help=".osm.pbf or .osm file of the station's area")],
) -> None:
    """Import the road network from an OpenStreetMap file (replaces the stored one)."""
    from jingwu.places import osm_import, road_service

    if not path.exists():
        typer.secho(f"✗ no such file: {path}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    settings = _settings()
    upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        network = osm_import.read_osm(path)
        with database.session() as session:
            stored = road_service.store_network(session, nodes=network.nodes, edges=network.edges)
        typer.echo(f"✓ {stored.node_count} nodes, {stored.edge_count} road edges from {path.name}")
    except Exception as exc:
        typer.secho(f"✗ {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    finally:
        database.dispose()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
) -> None:
    """Serve the station (migrate first with `jingwu db upgrade`)."""
    settings = _settings()
    upgrade(settings.database_url)
    uvicorn.run(
        "jingwu.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = 8000,
    seed: Annotated[int, typer.Option(help="random seed of the scenario")] = 7,
    fresh: Annotated[bool, typer.Option(help="rebuild the demo database")] = False,
    live: Annotated[bool, typer.Option(help="run the simulated station")] = True,
    speed: Annotated[float, typer.Option(help="simulation speed, 1–60×")] = 1.0,
    database: Annotated[Path, typer.Option(help="the demo's SQLite file")] = Path("var/demo.db"),
    history_days: Annotated[int, typer.Option(help="days of generated incident history")] = 730,
) -> None:
    """Start the Leifeng demo station on 127.0.0.1 (SQLite, seeded, living)."""
    from jingwu.sim.leifeng import DEMO_PASSWORD, build_scenario, demo_accounts
    from jingwu.sim.roads import build_leifeng_roads

    database.parent.mkdir(parents=True, exist_ok=True)
    if fresh and database.exists():
        database.unlink()
    url = f"sqlite:///{database.resolve()}"
    os.environ.setdefault("JINGWU_DEMO", "1")
    os.environ["JINGWU_DATABASE_URL"] = url
    settings = _settings()
    upgrade(url)
    store = Database(url)
    with store.session() as session:
        notes: list[str] = []
        built = build_scenario(
            session, seed=seed, history_days=history_days, track_days=1, progress=True, notes=notes
        )
        build_leifeng_roads(session, seed=seed)
    store.dispose()
    typer.secho(
        f"\n雷锋派出所 demo station — http://127.0.0.1:{port}", fg=typer.colors.GREEN, bold=True
    )
    typer.echo(
        "  " + ("scenario built" if built else "scenario already present") + f" in {database}"
    )
    for note in notes:
        typer.echo(f"  {note}")
    typer.echo(f"  demo accounts (password: {DEMO_PASSWORD}):")
    for username, display_name, role in demo_accounts():
        typer.echo(f"    {username:<12} {display_name:<10} {role}")
    if live:
        os.environ["JINGWU_SIMULATE"] = f"{speed}:{seed}:{port}"
    uvicorn.run(
        "jingwu.app:create_app", factory=True, host=settings.host, port=port, log_level="warning"
    )


def _simulate_command() -> None:
    from jingwu.sim.cli import simulate

    app.command("simulate")(simulate)


_simulate_command()


if __name__ == "__main__":
    app()
