"""The official `stripe` Python library (pinned in the Makefile's test-deps and .ci/run) driving the
sandbox's Stripe emulator, as a real integration would drive Stripe.

Usage: stripe_official_client.py BASE_URL   (e.g. http://127.0.0.1:PORT/stripe/api)

Prints `ok <check>` for each check that passed; the first failure raises (traceback on stderr,
exit status 1). StripeOfficialClientTests.swift starts the sandbox and runs this.
"""
import sys
import time

import stripe


def expect(condition, what):
    if not condition:
        raise AssertionError(what)


def refused(call, error_type, param=None, message_start=None, status=400):
    """Runs `call`, which must raise `error_type` with that param, message start and HTTP status."""
    try:
        call()
    except error_type as error:
        expect(error.http_status == status, f"HTTP {error.http_status}, expected {status}: {error}")
        if param is not None:
            expect(error.param == param, f"param {error.param!r}, expected {param!r}: {error}")
        if message_start is not None:
            expect(error.user_message.startswith(message_start), f"message {error.user_message!r}")
        return error
    raise AssertionError(f"no {error_type.__name__} raised")


def ok(name):
    print("ok", name, flush=True)


def main(base):
    stripe.api_key = "sk_test_officialclient42"
    stripe.api_base = base
    # The version SalonOps's adapter sends and the emulator answers in (it accepts any).
    stripe.api_version = "2024-06-20"
    # No automatic retries: one request per call. (The library still sends a random Idempotency-Key
    # with every POST, as it does against Stripe.)
    stripe.max_network_retries = 0

    # Products: create, retrieve, update (metadata merges), list with auto-paging.
    product = stripe.Product.create(name="Coupe", description="Coupe femme", metadata={"salonops_owner": "ci"})
    expect(isinstance(product, stripe.Product) and product.id.startswith("prod_"), product)
    expect(product.active is True and product.livemode is False, product)
    updated = stripe.Product.modify(product.id, name="Coupe & brushing", metadata={"tier": "gold"})
    expect(updated.name == "Coupe & brushing", updated)
    expect(updated.metadata.to_dict() == {"salonops_owner": "ci", "tier": "gold"}, updated.metadata)
    expect(stripe.Product.retrieve(product.id).description == "Coupe femme", "retrieve")
    for index in range(24):
        stripe.Product.create(name=f"Soin {index}")
    page = stripe.Product.list(limit=10)
    expect(len(page.data) == 10 and page.has_more, page)
    every = [p.id for p in stripe.Product.list(limit=10).auto_paging_iter()]
    expect(len(every) == 25 and len(set(every)) == 25 and every[-1] == product.id, every)
    ok("products")

    # Prices: recurring and one-off, archive, and the `active` filter (active only by default).
    monthly = stripe.Price.create(product=product.id, unit_amount=4500, currency="eur", lookup_key="coupe",
                                  recurring={"interval": "month", "interval_count": 3}, tax_behavior="inclusive")
    expect(monthly.type == "recurring" and monthly.recurring.interval_count == 3, monthly)
    one_off = stripe.Price.create(product=product.id, unit_amount=900, currency="EUR", nickname="Essai")
    expect(one_off.currency == "eur" and one_off.recurring is None, one_off)
    archived = stripe.Price.modify(one_off.id, active=False)
    expect(archived.active is False, archived)
    active = [p.id for p in stripe.Price.list(product=product.id).auto_paging_iter()]
    expect(active == [monthly.id], active)
    expect([p.id for p in stripe.Price.list(product=product.id, active=True).auto_paging_iter()] == [monthly.id], "active=true")
    inactive = [p.id for p in stripe.Price.list(product=product.id, active=False).auto_paging_iter()]
    expect(inactive == [one_off.id], inactive)
    expect([p.id for p in stripe.Price.list(lookup_keys=["coupe"]).data] == [monthly.id], "lookup_keys")
    expect([p.id for p in stripe.Price.list(recurring={"interval": "month"}).data] == [monthly.id], "recurring filter")
    moved = stripe.Price.create(product=product.id, unit_amount=5000, currency="eur", lookup_key="coupe", transfer_lookup_key=True)
    expect(stripe.Price.retrieve(monthly.id).lookup_key is None, "lookup key moved")
    expect([p.id for p in stripe.Price.list(lookup_keys=["coupe"]).data] == [moved.id], "lookup key holder")
    ok("prices")

    # expand: a price's product, a list's data.product; anything else refused as Stripe does.
    expanded = stripe.Price.retrieve(monthly.id, expand=["product"])
    expect(isinstance(expanded.product, stripe.Product) and expanded.product.name == "Coupe & brushing", expanded.product)
    listed = stripe.Price.list(product=product.id, expand=["data.product"])
    expect(all(isinstance(p.product, stripe.Product) for p in listed.data), listed)
    refused(lambda: stripe.Price.list(expand=["product"]), stripe.InvalidRequestError,
            message_start="This property cannot be expanded (product).")
    ok("expand")

    # Plans: custom id, update, list (archived ones listed by default), delete.
    plan = stripe.Plan.create(id="so_eclat", amount=4900, currency="eur", interval="month", product=product.id, nickname="Éclat")
    expect(plan.id == "so_eclat" and plan.amount == 4900 and plan.interval == "month", plan)
    expect(stripe.Plan.modify(plan.id, active=False).active is False, "plan archived")
    expect([p.id for p in stripe.Plan.list().data] == ["so_eclat"], "plans list archived ones")
    expect(stripe.Plan.list(active=True).data == [], "active plans")
    deleted = stripe.Plan.delete(plan.id)
    expect(deleted.deleted is True and deleted.id == "so_eclat", deleted)
    ok("plans")

    # Coupons: percent and amount, update, list, delete.
    coupon = stripe.Coupon.create(id="BIENVENUE15", percent_off=15, duration="repeating", duration_in_months=3, name="Bienvenue")
    expect(coupon.percent_off == 15 and coupon.duration_in_months == 3 and coupon.valid is True, coupon)
    amount = stripe.Coupon.create(amount_off=500, currency="eur", duration="once", redeem_by=int(time.time()) + 86400)
    expect(len(amount.id) == 8 and amount.amount_off == 500, amount)
    expect(stripe.Coupon.modify(coupon.id, name="Hello").name == "Hello", "coupon renamed")
    expect({c.id for c in stripe.Coupon.list().auto_paging_iter()} == {coupon.id, amount.id}, "coupons")
    expect(stripe.Coupon.delete(coupon.id).deleted is True, "coupon deleted")
    refused(lambda: stripe.Coupon.retrieve(coupon.id), stripe.InvalidRequestError, param="id", status=404)
    ok("coupons")

    # Tax rates: create, archive, list (archived ones listed by default); percentage is immutable.
    rate = stripe.TaxRate.create(display_name="TVA", percentage=20, inclusive=True, country="FR", tax_type="vat")
    expect(rate.percentage == 20 and rate.inclusive is True and rate.country == "FR", rate)
    expect(stripe.TaxRate.modify(rate.id, active=False).active is False, "tax rate archived")
    expect([r.id for r in stripe.TaxRate.list().data] == [rate.id], "tax rates list archived ones")
    expect(stripe.TaxRate.list(active=True).data == [], "active tax rates")
    refused(lambda: stripe.TaxRate.modify(rate.id, percentage=5.5), stripe.InvalidRequestError, param="percentage",
            message_start="Received unknown parameter: percentage")
    ok("tax rates")

    # Webhook endpoints: the signing secret only in the create answer.
    hook = stripe.WebhookEndpoint.create(url="https://salon.example/hooks/stripe",
                                         enabled_events=["checkout.session.completed", "charge.refunded"])
    expect(hook.secret.startswith("whsec_") and hook.status == "enabled", hook)
    fetched = stripe.WebhookEndpoint.retrieve(hook.id)
    expect("secret" not in fetched.to_dict() and list(fetched.enabled_events) == ["checkout.session.completed", "charge.refunded"], fetched)
    changed = stripe.WebhookEndpoint.modify(hook.id, enabled_events=["*"], disabled=True)
    expect(list(changed.enabled_events) == ["*"] and changed.status == "disabled", changed)
    expect(stripe.WebhookEndpoint.delete(hook.id).deleted is True, "webhook deleted")
    ok("webhook endpoints")

    # An idempotent retry: the same key and parameters replay the first answer; other parameters are refused.
    first = stripe.Product.create(name="Idem", idempotency_key="salonops-retry-1")
    again = stripe.Product.create(name="Idem", idempotency_key="salonops-retry-1")
    expect(again.id == first.id, (first.id, again.id))
    expect(again.last_response.headers.get("Idempotent-Replayed") == "true", dict(again.last_response.headers))
    expect(sum(1 for p in stripe.Product.list(limit=100).auto_paging_iter() if p.name == "Idem") == 1, "one product")
    refused(lambda: stripe.Product.create(name="Other", idempotency_key="salonops-retry-1"), stripe.IdempotencyError)
    ok("idempotency")

    # Refusals as Stripe refuses them.
    refused(lambda: stripe.Price.create(product=product.id, unit_amount=100, currency="zzz"), stripe.InvalidRequestError,
            param="currency", message_start="Invalid currency: zzz. Stripe currently supports these currencies: usd, aed,")
    refused(lambda: stripe.Price.create(product=product.id, unit_amount=100, currency="eur",
                                        recurring={"interval": "year", "interval_count": 4}),
            stripe.InvalidRequestError, param="recurring[interval_count]",
            message_start="The interval_count for yearly prices can't be greater than 3")
    expect(stripe.Price.create(product=product.id, unit_amount=100, currency="eur",
                               recurring={"interval": "month", "interval_count": 36}).recurring.interval_count == 36, "36 months")
    refused(lambda: stripe.Plan.create(amount=100, currency="eur", interval="week", interval_count=157, product=product.id),
            stripe.InvalidRequestError, param="interval_count")
    refused(lambda: stripe.WebhookEndpoint.create(url="https://salon.example/h", enabled_events=["invoice.paid", "invoice.bogus"]),
            stripe.InvalidRequestError, param="enabled_events[1]", message_start="Invalid enabled_events[1]: must be one of ")
    missing = refused(lambda: stripe.Product.retrieve("prod_missing"), stripe.InvalidRequestError, param="id", status=404,
                      message_start="No such product: 'prod_missing'")
    expect(missing.code == "resource_missing", missing.code)
    unknown = refused(lambda: stripe.Product.create(name="x", colour="red"), stripe.InvalidRequestError, param="colour")
    expect(unknown.code == "parameter_unknown", unknown.code)
    refused(lambda: stripe.Product.list(api_key="sk_live_notatestkey123"), stripe.AuthenticationError, status=401)
    refused(lambda: stripe.Product.delete(product.id), stripe.InvalidRequestError,
            message_start="This product cannot be deleted because it has one or more user-created prices.")
    ok("errors")

    # The newer client object, as current integrations use it (retries on, so its own idempotency keys).
    client = stripe.StripeClient(stripe.api_key, base_addresses={"api": base}, stripe_version="2024-06-20", max_network_retries=2)
    spare = client.v1.products.create({"name": "Sans prix"})
    expect(client.v1.products.delete(spare.id).deleted is True, "product without prices deleted")
    archived_ids = [p.id for p in client.v1.prices.list({"active": False, "product": product.id}).auto_paging_iter()]
    expect(archived_ids == [one_off.id], archived_ids)
    balance = client.v1.balance.retrieve()
    expect(balance.object == "balance" and balance.livemode is False, balance)
    ok("client object")


if __name__ == "__main__":
    main(sys.argv[1])
