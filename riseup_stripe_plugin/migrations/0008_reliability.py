"""Events that need attention, their last attempt, and when they were queued for a Celery worker."""


from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('riseup_stripe_plugin', '0007_installation_and_retention'),
    ]

    operations = [
        migrations.AddField(
            model_name='stripeevent',
            name='last_attempt_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='stripeevent',
            name='needs_attention',
            field=models.BooleanField(db_index=True, default=False),
        ),
        migrations.AddField(
            model_name='stripeevent',
            name='queued_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
