"""python3 -m deploy.cluster start|stop|status|rolling-restart (scripts/cluster)."""
import argparse

from deploy.cluster import ROOT, Cluster, __doc__ as DOC


def main(argv=None):
    parser = argparse.ArgumentParser(prog="scripts/cluster", description=DOC.split("\n")[0])
    parser.add_argument("command", choices=["start", "stop", "status", "rolling-restart"])
    parser.add_argument("--dir", default=str(ROOT / "instance" / "cluster"), help="state folder")
    parser.add_argument("--demo", action="store_true", help="seed the demo accounts (README)")
    parser.add_argument("--private-postgres", action="store_true",
                        help="a PostgreSQL of the cluster's own (initdb, free port) instead of the machine's")
    parser.add_argument("--database", help="a PostgreSQL URL to use instead (its database must exist)")
    args = parser.parse_args(argv)
    cluster = Cluster(args.dir)
    if args.command == "start":
        cluster.start(demo=args.demo, private_postgres=args.private_postgres, database_url=args.database)
        print("\n".join(cluster.status()))
        print(f"portal: {cluster.url}  (self-signed: curl --cacert {cluster.cert}; stop: scripts/cluster stop)")
    elif args.command == "stop":
        cluster.stop()
        print("stopped")
    elif args.command == "status":
        print("\n".join(cluster.status()))
    else:
        cluster.rolling_restart()
        print("\n".join(cluster.status()))


if __name__ == "__main__":
    main()
