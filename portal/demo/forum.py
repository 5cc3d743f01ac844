"""Demo forum: categories, threads (some answered by staff, some waiting in the queue) and replies."""
import datetime

from portal.db import write_tx
from portal.models import Category, Post, Thread, User
from portal.services import forum, get_policy

# slug, name, description, position, only staff start threads
CATEGORIES = [
    ("installation", "Installation", "Installing and updating the Viewer, Host and Agent.", 1, False),
    ("configuration", "Configuration", "Settings, security, address books and deployment.", 2, False),
    ("server", "Remote Utilities Server", "Self-hosted relay and address book server.", 3, False),
    ("announcements", "Announcements", "Releases and news from the Remote Utilities team.", 4, True),
]

# slug, author, title, body, hours ago, replies [(author, body)], staff answer accepted?
THREADS = [
    ("announcements", "staff@demo.test", "Remote Utilities 8.1 is out",
     "Version **8.1.0.3** is available. Please update before asking for help: the problem may "
     "already be fixed (policy 7.2). See the [download page](https://www.remoteutilities.com/download/).",
     72, [], False),
    ("installation", "pro@demo.test", "Silent install of the Host with an MSI",
     "What is the recommended way to install the Host silently on 50 machines? "
     "I tried `msiexec /i host.msi /qn` but the Host starts without my settings.",
     30, [("staff@demo.test", "Use the MSI configurator to embed your settings, then run "
           "`msiexec /i host.msi /qn`. The settings are applied on first start."),
          ("pro@demo.test", "That worked, thank you!")], True),
    ("configuration", "free@demo.test", "Viewer asks for the password every time",
     "Each time I connect to my home PC the Viewer asks for the access password again, "
     "even though I ticked the box to remember it. Where is it stored?",
     20, [("plus@demo.test", "Same here after updating to 8.0. Following.")], False),
    ("server", "plus@demo.test", "Relay connections drop after an hour",
     "Our self-hosted server drops relay connections after about an hour. "
     "Server 4.1.0.2 on Windows Server 2022. Any idea where to look?",
     6, [], False),
    ("installation", "trial@demo.test", "Agent does not start on Windows 11",
     "The Agent window opens and closes immediately on a fresh Windows 11 machine. "
     "Is Windows 11 supported by the trial?",
     3, [("staff@demo.test", "Yes, Windows 11 is supported. Please run the Agent as administrator "
          "once and tell us whether it stays open.")], False),
    ("configuration", "starter@demo.test", "Where are the address book files kept?",
     "I want to back up my address book before moving to a new laptop. Which folder holds it?",
     1, [], False),
]


def _categories():
    with write_tx():
        for slug, name, description, position, staff_only in CATEGORIES:
            Category.get_or_create(slug=slug, defaults=dict(name=name, description=description,
                                                            position=position, staff_threads_only=staff_only))


def _backdate(thread, hours):
    """Move a fresh demo thread into the past; its due time follows (policy 2.1)."""
    shift = datetime.timedelta(hours=hours)
    thread = Thread.get_by_id(thread.id)
    with write_tx():
        for post in Post.select().where(Post.thread == thread.id):
            Post.update(created_at=post.created_at - shift).where(Post.id == post.id).execute()
        changes = dict(created_at=thread.created_at - shift, last_post_at=thread.last_post_at - shift)
        if thread.due_at is not None:
            changes["due_at"] = get_policy().first_response_due(changes["created_at"], thread.level)
        if thread.first_response_at is not None:
            changes["first_response_at"] = thread.first_response_at - shift
            if changes.get("due_at"):
                changes["first_response_met"] = changes["first_response_at"] <= changes["due_at"]
        Thread.update(**changes).where(Thread.id == thread.id).execute()


def seed(password):
    """Create the demo categories and threads once (a thread is known by its title)."""
    _categories()
    lines = []
    for slug, email, title, body, hours, replies, accept in THREADS:
        author = User.by_email(email)
        if author is None or Thread.get_or_none(Thread.title == title) is not None:
            continue
        thread = forum.start_thread(author, Category.get(Category.slug == slug), title, body)
        last = None
        for reply_email, text in replies:
            last = forum.reply(User.by_email(reply_email), Thread.get_by_id(thread.id), text)
            if last.is_staff_answer and accept:
                forum.accept_answer(User.by_email(reply_email), Thread.get_by_id(thread.id), last)
        _backdate(thread, hours)
        state = "waiting for staff" if Thread.get_by_id(thread.id).awaiting_staff else "answered"
        lines.append(f"thread #{thread.id:<4} {author.level:9} {title} ({state})")
    return lines
