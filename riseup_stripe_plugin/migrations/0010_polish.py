# The promotion code as typed, on orders and invoices; credit note reasons in words.

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
        migrations.AlterField(
            model_name='creditnote',
            name='reason',
            field=models.CharField(blank=True, choices=[('order_change', 'Order change'), ('product_unsatisfactory', 'Course unsatisfactory'), ('duplicate', 'Duplicate purchase'), ('fraudulent', 'Fraudulent purchase')], default='', max_length=64),
        ),
    ]
