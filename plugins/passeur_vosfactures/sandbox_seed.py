"""Pre-load a VosFactures sandbox with realistic clients, products and invoices.

Dates spread over the last two years so that the default `period=last_12_months` hides about
half of them, which is the trap a real account sets for a naive client.
"""

from __future__ import annotations

from passeur.sandbox import DataGenerator
from passeur_vosfactures.sandbox_store import Account

__all__ = ["seed_account"]

KIND_WEIGHTS = (("vat", 8), ("proforma", 1), ("estimate", 1))


def seed_account(account: Account, invoices: int, random_seed: int = 0) -> None:
    """Add `invoices` generated invoices (plus clients and a product catalogue)."""
    if invoices <= 0:
        return
    gen = DataGenerator(random_seed, account.today())
    products = [account.create_product({"name": p.name, "code": p.code,
                                        "price_net": p.price_net, "tax": p.tax})
                for p in gen.products()]
    clients = []
    for _ in range(max(1, invoices // 4)):
        c = gen.company()
        clients.append(account.create_client({
            "name": c.name, "first_name": c.first_name, "last_name": c.last_name,
            "tax_no": c.tax_no, "street": c.street, "post_code": c.post_code, "city": c.city,
            "country": c.country, "email": c.email, "phone": c.phone,
            "external_id": f"C{len(clients) + 1:04d}"}))
    kinds = [kind for kind, weight in KIND_WEIGHTS for _ in range(weight)]
    dates = sorted(gen.date_within(730) for _ in range(invoices))
    for number, issue_date in enumerate(dates, start=1):
        client = clients[gen.pick(len(clients))]
        positions = []
        for _ in range(1 + gen.pick(4)):
            product = products[gen.pick(len(products))]
            positions.append({"product_id": product["id"], "quantity": gen.quantity()})
        record = account.create_invoice({
            "kind": kinds[gen.pick(len(kinds))], "issue_date": issue_date.isoformat(),
            "client_id": client["id"], "oid": f"CMD-{number:05d}", "positions": positions})
        if gen.pick(3) == 0:
            account.change_status(record["id"], "paid")
