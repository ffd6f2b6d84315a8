"""``evaluering fetch-dst TABLE [--var KEY=V1,V2 ...] [--offline] [--cache DIR] [--base-url URL]``

Fetch one StatBank table (FOLK1A, STRAF22, STRAF44, or any other) into the cache under
``data/raw/dst/`` and print one line: rows, suppressed values, cache file. The BULK format
needs every variable of the table: variables not given with ``--var`` are filled with their
total from the table's /tableinfo (cached beside the answers), or refused when they have none. ``--info``
prints the table's variables and their first value codes instead (from /tableinfo).
"""

from __future__ import annotations

HELP = "Hent tabeller fra Danmarks Statistiks Statistikbank (med lokal cache)"


def add_arguments(parser) -> None:
    parser.add_argument("table", help="StatBank table id, e.g. FOLK1A, STRAF22, STRAF44")
    parser.add_argument("--var", action="append", default=[], metavar="KEY=V1,V2",
                        help="a variable selection (repeatable); '*' selects all values; variables not "
                             "given are filled with their total from tableinfo. "
                             "Default: the table's selection in evaluering.sources.dst.TABLES")
    parser.add_argument("--offline", action="store_true", help="read the cache only, never the network")
    parser.add_argument("--refresh", action="store_true", help="fetch again even when cached")
    parser.add_argument("--cache", default=None, metavar="DIR", help="cache folder (default data/raw/dst/)")
    parser.add_argument("--base-url", default=None, metavar="URL", help="API base (default https://api.statbank.dk/v1)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default 30)")
    parser.add_argument("--retries", type=int, default=3, help="retries after the first attempt (default 3)")
    parser.add_argument("--lang", choices=("da", "en"), default="da",
                        help="language of the answer: da (decimal comma, default) or en (decimal point)")
    parser.add_argument("--info", action="store_true", help="show the table's variables (tableinfo) and exit")


def run(args) -> int:
    from ..sources.dst import BASE_URL, StatBankClient, parse_var_args

    client = StatBankClient(base_url=args.base_url or BASE_URL, cache_dir=args.cache, offline=args.offline,
                            timeout=args.timeout, retries=args.retries, refresh=args.refresh)
    if args.info:
        info = client.tableinfo(args.table)
        print(f"{info.get('id', args.table.upper())}: {info.get('text', '')}")
        for var in info.get("variables", []):
            vals = var.get("values", [])
            shown = ", ".join(f"{v.get('id')}={v.get('text')}" for v in vals[:6])
            more = f", ... ({len(vals)} values)" if len(vals) > 6 else ""
            print(f"  {var.get('id')}: {var.get('text', '')} [{shown}{more}]")
        return 0
    variables = parse_var_args(args.var) or None
    from ..sources.dst import Query, read_bulk
    asked = Query.make(args.table, variables, lang=args.lang)
    query = client.complete(asked)
    _, path, cached = client.fetch_raw(query)
    frame = read_bulk(path)
    suppressed = int(frame["value"].isna().sum())
    named = {k.casefold() for k, _ in asked.variables}
    filled = [f"{k}={','.join(v)}" for k, v in query.variables if k.casefold() not in named]
    print(f"OK: {query.table}, {len(frame)} values ({suppressed} suppressed/missing), "
          f"{'from the cache' if cached else 'fetched'}: {path}"
          + (f" (udfyldt med total: {'; '.join(filled)})" if filled else ""))
    return 0
