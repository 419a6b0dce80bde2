# The promotion code as typed, on orders and invoices.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('riseup_stripe_plugin', '0007_installation_and_retention'),
    ]

    operations = [
        migrations.AddField(
            model_name='invoice',
            name='promotion_code',
            field=models.CharField(blank=True, default='', max_length=255, verbose_name='promotion code'),
        ),
        migrations.AddField(
            model_name='order',
            name='promotion_code',
            field=models.CharField(blank=True, default='', max_length=255, verbose_name='promotion code'),
        ),
    ]
