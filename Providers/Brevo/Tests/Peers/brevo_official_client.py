"""The official Brevo Python client (brevo-python 5.1.0, Fern-generated) against the SalonOps
emulator. Usage: brevo_official_client.py BASE_URL all|throttle

`all` drives folders, lists, senders, webhooks, a transactional email and its log, the account,
and Brevo's refusals as the client's own error types; `throttle` expects the emulator to allow one
"other endpoints" request an hour and checks the 429 the client raises with max_retries=0. Each
check prints `ok <name>`; the first answer the client does not take as Brevo's raises and exits
non-zero."""

import sys

from brevo import Brevo
from brevo.core.api_error import ApiError
from brevo.errors import BadRequestError, NotFoundError

BASE_URL, MODE = sys.argv[1], sys.argv[2]
client = Brevo(api_key="xkeysib-official-client-test", base_url=BASE_URL, max_retries=0, timeout=20)


def ok(name):
    print("ok " + name, flush=True)


def expect(condition, what):
    if not condition:
        raise AssertionError(what)


def refused(call, error_type, code):
    try:
        call()
    except error_type as error:
        body = error.body or {}
        expect(body.get("code") == code, "expected %s, got %r" % (code, body))
        return error
    raise AssertionError("expected %s (%s)" % (error_type.__name__, code))


def folders_and_lists():
    folder = client.contacts.create_folder(name="SalonOps").id
    other = client.contacts.create_folder(name="Autres").id
    listed = client.contacts.get_folders(limit=50, offset=0, sort="asc")
    expect([f.name for f in listed.folders] == ["SalonOps", "Autres"] and listed.count == 2, listed)
    expect(client.contacts.get_folder(folder).name == "SalonOps", "get_folder")
    client.contacts.update_folder(folder, name="SalonOps (Belle Époque)")
    ok("folders")
    ids = [client.contacts.create_list(name=name, folder_id=folder).id for name in ["newsletter", "clientes-fideles", "abonnees-eclat"]]
    first = client.contacts.get_lists(limit=2, offset=0, sort="asc")
    second = client.contacts.get_lists(limit=2, offset=2, sort="asc")
    expect(first.count == 3 and [l.name for l in first.lists + second.lists] == ["newsletter", "clientes-fideles", "abonnees-eclat"], (first, second))
    expect(all(l.folder_id == folder for l in first.lists), first)
    client.contacts.update_list(ids[0], name="lettre")
    client.contacts.update_list(ids[1], folder_id=other)
    detail = client.contacts.get_list(ids[0])
    expect(detail.name == "lettre" and detail.folder_id == folder and detail.created_at, detail)
    in_folder = client.contacts.get_folder_lists(folder, limit=10)
    expect(sorted(l.name for l in in_folder.lists) == ["abonnees-eclat", "lettre"] and in_folder.count == 2, in_folder)
    client.contacts.delete_list(ids[2])
    # Deleting a folder deletes its lists.
    client.contacts.delete_folder(folder)
    refused(lambda: client.contacts.get_list(ids[0]), NotFoundError, "document_not_found")
    expect([l.name for l in client.contacts.get_lists().lists] == ["clientes-fideles"], "one list left")
    ok("lists")


def senders():
    made = client.senders.create_sender(name="Belle Époque", email="bonjour@belle-epoque.example")
    pending = client.senders.create_sender(name="Ailleurs", email="contact@ailleurs.example")
    found = {s.email: s for s in client.senders.get_senders().senders}
    expect(found["bonjour@belle-epoque.example"].active is True, "an authenticated domain's sender is active")
    expect(found["contact@ailleurs.example"].active is False, "another waits for its code")
    client.senders.update_sender(made.id, name="Belle Époque Instituts")
    only = client.senders.get_senders(domain="belle-epoque.example").senders
    expect([s.name for s in only] == ["Belle Époque Instituts"], only)
    client.senders.delete_sender(pending.id)
    ok("senders")


def webhooks():
    hook = client.webhooks.create_webhook(
        url="https://hooks.belle-epoque.example/brevo", description="SalonOps", events=["delivered", "hardBounce"], type="transactional", channel="email"
    ).id
    client.webhooks.create_webhook(url="https://hooks.belle-epoque.example/m", events=["listAddition"], type="marketing")
    transactional = client.webhooks.get_webhooks(type="transactional").webhooks
    marketing = client.webhooks.get_webhooks(type="marketing", sort="asc").webhooks
    expect([w.url for w in transactional] == ["https://hooks.belle-epoque.example/brevo"], transactional)
    expect([w.events for w in marketing] == [["listAddition"]], marketing)
    client.webhooks.update_webhook(hook, url="https://hooks.belle-epoque.example/brevo2", events=["delivered"], description="SalonOps 2")
    read = client.webhooks.get_webhook(hook)
    expect(read.url.endswith("/brevo2") and read.events == ["delivered"] and read.type == "transactional" and read.created_at, read)
    refused(lambda: client.webhooks.create_webhook(url="https://h.example/x", events=["listAddition"]), BadRequestError, "invalid_parameter")
    client.webhooks.delete_webhook(hook)
    refused(lambda: client.webhooks.get_webhook(hook), NotFoundError, "document_not_found")
    ok("webhooks")


def email():
    sent = client.transactional_emails.send_transac_email(
        sender={"name": "Belle Époque Instituts", "email": "bonjour@belle-epoque.example"},
        to=[{"email": "gerante@belle-epoque.example"}],
        subject="SalonOps : un run a échoué",
        text_content="Le run de 04:00 a échoué.",
        html_content="<p>Le run de 04:00 a échoué.</p>",
        tags=["salonops", "alert"],
    )
    expect(sent.message_id.startswith("<") and "@" in sent.message_id, sent)
    log = client.transactional_emails.get_transac_emails_list(email="gerante@belle-epoque.example", limit=10, offset=0)
    expect(log.count == 1, log)
    entry = log.transactional_emails[0]
    expect(entry.message_id == sent.message_id and entry.subject == "SalonOps : un run a échoué", entry)
    expect(entry.from_ == "bonjour@belle-epoque.example" and entry.tags == ["salonops", "alert"] and entry.uuid_ and entry.date, entry)
    by_id = client.transactional_emails.get_transac_emails_list(message_id=sent.message_id)
    expect([e.email for e in by_id.transactional_emails] == ["gerante@belle-epoque.example"], by_id)
    refused(
        lambda: client.transactional_emails.send_transac_email(sender={"email": "bonjour@belle-epoque.example"}, to=[{"email": "a@b.example"}], subject="s"),
        BadRequestError,
        "missing_parameter",
    )
    ok("email")


def account():
    info = client.account.get_account()
    expect(info.company_name and info.plan and info.plan[0].type == "free" and info.relay.enabled is True, info)
    ok("account")


def errors():
    error = refused(lambda: client.contacts.create_list(name="sans dossier", folder_id=987654), BadRequestError, "invalid_parameter")
    expect(error.status_code == 400 and error.body.get("message"), error)
    refused(lambda: client.contacts.get_folder(987654), NotFoundError, "document_not_found")
    ok("errors")


def throttle():
    client.account.get_account()
    try:
        client.senders.get_senders()
    except ApiError as error:
        expect(error.status_code == 429, error)
        headers = {k.lower(): v for k, v in (error.headers or {}).items()}
        expect(headers.get("x-sib-ratelimit-limit") == "1" and headers.get("x-sib-ratelimit-remaining") == "0", headers)
        expect(int(headers.get("x-sib-ratelimit-reset", "0")) > 0, headers)
        expect((error.body or {}).get("message"), error.body)
        ok("throttled")
        return
    raise AssertionError("the second request of the hour was not refused")


if MODE == "throttle":
    throttle()
else:
    for check in (folders_and_lists, senders, webhooks, email, account, errors):
        check()
