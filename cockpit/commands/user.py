"""`user add|list|disable|enable|set-password|set-role|revoke`: manage staff and admin accounts.

Passwords are read from the terminal (twice) or, for scripts, from standard input with --password-stdin; never
from the command line, where other users of the machine could see them."""

from __future__ import annotations

import argparse
import getpass
import sys

from cockpit.accounts import ACCOUNT_ROLES, AccountError, Accounts
from cockpit.printable import printable
from cockpit.runtime import open_cockpit

NAME = "user"
HELP = "manage accounts: add, list, disable, enable, set-password, set-role, revoke"
ACTOR = "cli"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="create an account")
    add.add_argument("login")
    add.add_argument("--role", choices=sorted(ACCOUNT_ROLES), default="staff")
    add.add_argument("--department", help="catalog department id (e.g. verkehr)")
    add.add_argument("--name", help="display name (default: the login name)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    sub.add_parser("list", help="list the accounts")
    for action, text in (("disable", "disable an account and end its sessions"), ("enable", "enable an account"),
                         ("revoke", "end every session of an account")):
        sub.add_parser(action, help=text).add_argument("login")
    setpw = sub.add_parser("set-password", help="set a new password (ends every session of the account)")
    setpw.add_argument("login")
    setpw.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    role = sub.add_parser("set-role", help="change role and department (ends every session of the account)")
    role.add_argument("login")
    role.add_argument("--role", choices=sorted(ACCOUNT_ROLES), required=True)
    role.add_argument("--department")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat: ") != first:
        raise AccountError("the passwords differ")
    return first


def run(args: argparse.Namespace) -> int:
    cockpit = open_cockpit()
    accounts = Accounts(cockpit.store, {d.id for d in cockpit.catalog.departments})
    try:
        if args.action == "list":
            print(f"{'login':<24} {'role':<6} {'department':<20} {'active':<6} {'sign-in':<8} name")
            for u in accounts.users():
                # login and display name may come from single sign-on claims: no terminal escapes
                print(f"{printable(u['login']):<24} {u['role']:<6} {printable(u['department'] or '-'):<20} "
                      f"{'yes' if u['active'] else 'no':<6} {'sso' if u['oidc_subject'] else 'password':<8} "
                      f"{printable(u['display_name'])}")
        elif args.action == "add":
            accounts.add_user(args.login, _password(args.password_stdin), args.role, args.department, args.name,
                              actor=ACTOR)
            print(f"ok: account {args.login} ({args.role}) created")
        elif args.action == "set-password":
            accounts.set_password(args.login, _password(args.password_stdin), actor=ACTOR)
            print(f"ok: new password for {args.login}; its sessions have ended")
        elif args.action in ("disable", "enable"):
            accounts.set_active(args.login, args.action == "enable", actor=ACTOR)
            print(f"ok: {args.login} {args.action}d")
        elif args.action == "set-role":
            accounts.set_role(args.login, args.role, args.department, actor=ACTOR)
            print(f"ok: {args.login} is {args.role} ({args.department or 'no department'}); its sessions have ended")
        elif args.action == "revoke":
            print(f"ok: {accounts.revoke(args.login, actor=ACTOR)} sessions of {args.login} ended")
    except AccountError as exc:
        print(f"error: {printable(exc)}", file=sys.stderr)
        return 2
    return 0
